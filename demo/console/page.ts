// The console page: server-rendered panels, refreshed over server-sent events; the
// script only posts clicks and typed lines and swaps panel HTML. No build step.
import { esc } from './render';

export interface PageParts {
  guide: string;
  tg: string;
  dc: string;
  fleet: string;
  staff: string;
  tgChips: string;
  dcChips: string;
  walletAddress: string;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;background:#eef1f5;color:#1c2330}
header{position:sticky;top:0;z-index:2;background:#1c2330;color:#fff;padding:8px 14px;display:flex;gap:14px;align-items:center;flex-wrap:wrap}
header b{font-size:16px}header nav a{color:#9cc3ff;margin-right:10px;text-decoration:none}
.badge{font-size:12px;background:#2f3b50;border-radius:10px;padding:2px 8px}
main{display:grid;gap:12px;padding:12px;grid-template-columns:minmax(0,1fr) minmax(0,1fr) minmax(0,1fr)}
#guide-card{grid-column:1/-1}#staff-card{grid-column:1/-1}
@media (max-width:1100px){main{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}#fleet-card{grid-column:1/-1}}
@media (max-width:700px){main{grid-template-columns:minmax(0,1fr);padding:6px}}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px #0002;display:flex;flex-direction:column;min-width:0}
.card>h2{margin:0;padding:8px 12px;font-size:15px;border-bottom:1px solid #e3e7ee;display:flex;justify-content:space-between;align-items:center}
.tg h2{background:#2aabee;color:#fff;border-radius:10px 10px 0 0}.dc h2{background:#5865f2;color:#fff;border-radius:10px 10px 0 0}
.chat{padding:10px;overflow-y:auto;max-height:60vh;min-height:240px;display:flex;flex-direction:column;gap:6px}
.tg .chat{background:#dfe9d8}.dc .chat{background:#313338;color:#dbdee1}
.msg{max-width:92%;padding:6px 9px;border-radius:9px;overflow-wrap:anywhere;word-break:break-word}.text{white-space:pre-wrap}
.tg .msg.bot,.pane .msg.bot{background:#fff;align-self:flex-start}.tg .msg.me{background:#effdde;align-self:flex-end}
.dc .msg{background:#2b2d31;align-self:stretch;max-width:100%}.dc .msg.me{background:#383a40}
.dc .who{color:#f2f3f5;font-weight:600}.where{font-weight:400;color:#949ba4;font-size:12px}
.who{font-size:12px;color:#557;margin-bottom:2px}.time{font-size:11px;color:#8a94a3;text-align:right}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;background:#0000000d;border-radius:4px;padding:0 3px}
code.pre{display:block;padding:6px 8px;margin:4px 0;background:#f3f4f6;white-space:pre-wrap;overflow-wrap:anywhere}
.dc code,.dc code.pre{background:#1e1f22;color:#dbdee1}
.quote{display:block;border-left:3px solid #8a94a3;padding-left:6px}.spoiler{background:#8a94a3;color:transparent}.spoiler:hover{color:inherit}
.photo{width:100%;max-width:560px;border-radius:6px;display:block;margin:4px 0;background:#fff}
.file{display:inline-block;margin:4px 0}
.kbd{margin-top:4px;display:flex;flex-direction:column;gap:4px}.kbrow{display:flex;gap:4px;flex-wrap:wrap}
.kb{flex:1;border:0;border-radius:6px;padding:6px 8px;background:#e6f0fa;color:#1a5fa0;cursor:pointer;text-align:center;text-decoration:none;font:inherit}
.dc .kb{background:#4e5058;color:#fff}.dc .kb.s1{background:#5865f2}.dc .kb.s3{background:#248046}.dc .kb.s4{background:#da373c}
.embed{border-left:4px solid;background:#2b2d31;padding:6px 10px;border-radius:4px;margin:4px 0}.etitle{font-weight:600}
.tg .embed{background:#f3f4f6}
form.say{display:flex;gap:6px;padding:8px;border-top:1px solid #e3e7ee}form.say input{flex:1;min-width:0;padding:8px;border:1px solid #cdd3dc;border-radius:6px;font:inherit}
form.say button,.go{border:0;border-radius:6px;padding:7px 12px;background:#2f6fde;color:#fff;cursor:pointer;font:inherit}
.chips{display:flex;gap:5px;flex-wrap:wrap;padding:6px 8px 0}.chip{border:1px solid #cdd3dc;background:#f7f9fb;border-radius:14px;padding:3px 10px;cursor:pointer;font:inherit;font-size:12.5px}
.steps{margin:0;padding:10px 12px 10px 34px;display:grid;gap:8px;grid-template-columns:repeat(auto-fit,minmax(220px,1fr))}
.steps li{padding:6px 8px;border-radius:8px;background:#f5f7fa}.steps li.next{background:#fff6d6;outline:2px solid #f3c64c}.steps li.done{background:#e7f6e7;color:#2d5a2d}
.steps li div{margin-top:4px}.steps .go{margin:4px 4px 0 0;padding:4px 9px;font-size:12.5px}.addr{word-break:break-all}
.done-all{margin:0 12px 10px}.card>.body{padding:8px 12px}
table.nodes{width:100%;border-collapse:collapse;margin-bottom:8px}table.nodes td,table.nodes th{padding:4px;border-bottom:1px solid #eef0f3;text-align:left;vertical-align:top}
.sub{font-size:12px;color:#6b7483}.ok{color:#1f8a3b}.bad{color:#c62828}
.state{padding:1px 7px;border-radius:9px;background:#eee;font-size:12px}.s-ONLINE{background:#d9f2de;color:#1f6b32}.s-OFFLINE{background:#fbe0e0;color:#a12020}
.row{display:flex;gap:6px;flex-wrap:wrap}h3{margin:8px 0 4px;font-size:14px}
#staff{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px;padding:8px 12px}
.pane .chat{background:#f5f7fa;max-height:40vh}.empty{color:#6b7483;font-style:italic;white-space:normal}
.dc .empty{color:#b5bac1}.press{font-size:12px;opacity:.7}
#toast{position:fixed;bottom:14px;left:50%;transform:translateX(-50%);background:#c62828;color:#fff;padding:8px 14px;border-radius:8px;display:none;max-width:90vw;z-index:5}
#live{width:9px;height:9px;border-radius:50%;background:#c62828;display:inline-block}#live.on{background:#34c759}
`;

const SCRIPT = `
const $ = (id) => document.getElementById(id);
function toast(text){const t=$('toast');t.textContent=text;t.style.display='block';clearTimeout(toast.h);toast.h=setTimeout(()=>t.style.display='none',6000);}
async function post(url, body){
  try{const r=await fetch(url,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body||{})});
    if(!r.ok){const e=await r.json().catch(()=>({error:r.statusText}));toast(e.error||r.statusText);}}
  catch(e){toast('The demo is not answering: '+e.message);}
}
document.addEventListener('click',(e)=>{const b=e.target.closest('[data-action]');if(!b||b.tagName==='FORM')return;e.preventDefault();post(b.dataset.action,JSON.parse(b.dataset.body||'{}'));});
document.addEventListener('submit',(e)=>{const f=e.target.closest('form[data-action]');if(!f)return;e.preventDefault();const i=f.querySelector('input');const text=i.value;if(!text.trim())return;i.value='';post(f.dataset.action,{text});});
function swap(id, html){const el=$(id);if(!el)return;const chat=el.classList.contains('chat');const stick=chat&&el.scrollHeight-el.scrollTop-el.clientHeight<60;el.innerHTML=html;if(stick)el.scrollTop=el.scrollHeight;tick();}
function connect(){const es=new EventSource('/events');
  es.addEventListener('panel',(e)=>{const p=JSON.parse(e.data);swap(p.id,p.html);});
  es.onopen=()=>$('live').classList.add('on');es.onerror=()=>$('live').classList.remove('on');}
function tick(){document.querySelectorAll('[data-countdown]').forEach((el)=>{const s=Math.max(0,Math.round((Number(el.dataset.countdown)-Date.now())/1000));el.textContent=Math.floor(s/60)+':'+String(s%60).padStart(2,'0');});}
setInterval(tick,1000);tick();connect();
for (const id of ['tg','dc']){const el=$(id);el.scrollTop=el.scrollHeight;}
`;

export function renderPage(p: PageParts): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>nodedesk demo</title><style>${CSS}</style></head><body>
<header><b>nodedesk</b><span class="badge">demo · everything below runs on local emulators</span>
<nav><a href="#guide-card">Guide</a><a href="#tg-card">Telegram</a><a href="#dc-card">Discord</a><a href="#fleet-card">Fleet</a><a href="#staff-card">Staff</a></nav>
<span title="live updates"><span id="live"></span></span></header>
<main>
<section class="card" id="guide-card"><h2>Your first run: link a wallet, add a node, get an offline DM</h2><div id="guide">${p.guide}</div></section>
<section class="card tg" id="tg-card"><h2>Telegram · you and @nodedesk_demo_bot</h2>
  <div class="chat" id="tg">${p.tg}</div>
  <div class="chips">${p.tgChips}</div>
  <form class="say" data-action="/api/tg/send"><input name="text" autocomplete="off" placeholder="Message (e.g. /help)" aria-label="Telegram message"><button>Send</button></form></section>
<section class="card dc" id="dc-card"><h2>Discord · GPU Miners (demo) server</h2>
  <div class="chat" id="dc">${p.dc}</div>
  <div class="chips">${p.dcChips}</div>
  <form class="say" data-action="/api/dc/send"><input name="text" autocomplete="off" placeholder="/command (e.g. /nodes add rig-dc-01)" aria-label="Discord command"><button>Send</button></form></section>
<section class="card" id="fleet-card"><h2>Fleet</h2><div class="body" id="fleet">${p.fleet}</div></section>
<section class="card" id="staff-card"><h2>Staff view</h2><div id="staff">${p.staff}</div></section>
</main>
<div id="toast" role="alert"></div>
<p class="sub" style="padding:0 14px 14px">Demo wallet <code class="addr">${esc(p.walletAddress)}</code> (made for this run; its key never leaves the demo process). Logs: .data/demo.log.</p>
<script>${SCRIPT}</script></body></html>`;
}
