// The dashboard's stylesheet and script: small, phone-first, no build step.
export const APP_CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1b1f24;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1rem;background:#14213d;color:#fff}
header a{color:#cfe0ff;text-decoration:none;padding:.2rem .4rem;border-radius:4px}header a[aria-current]{background:#2c4a8a;color:#fff}
header nav{display:flex;flex-wrap:wrap;gap:.25rem}.who{margin-left:auto;font-size:.85rem;opacity:.85}
main{padding:1rem;max-width:1200px;margin:auto}.narrow{max-width:34rem}h1{font-size:1.35rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin:1.4rem 0 .5rem}h3{font-size:1rem;margin:.6rem 0 .3rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:.4rem .5rem;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;color:#5a6270}.scroll{overflow-x:auto}
form.inline{display:inline}button{font:inherit;padding:.35rem .8rem;border:1px solid #9aa5b5;border-radius:6px;background:#fff;cursor:pointer}
button.primary{background:#2457c5;border-color:#2457c5;color:#fff}button.danger{background:#b42318;border-color:#b42318;color:#fff}
textarea,input[type=text],select{font:inherit;padding:.35rem;border:1px solid #9aa5b5;border-radius:6px;max-width:100%}
textarea{width:100%;min-height:5rem}.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.8rem}
.filters label{display:flex;flex-direction:column;font-size:.8rem;color:#5a6270}
.flash{background:#e7f0ff;border-left:4px solid #2457c5;padding:.5rem .8rem}.pre{white-space:pre-wrap}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:.8rem 1rem;margin-bottom:1rem}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
.msg{border-left:3px solid #9aa5b5;padding:.3rem .6rem;margin:.4rem 0;background:#fff}.msg.USER{border-color:#2457c5}
.msg.STAFF{border-color:#1a7f37}.msg.NOTE{border-color:#bf8700;background:#fff8e1}.msg.SYSTEM{border-color:#8c959f;color:#57606a}
.meta{font-size:.8rem;color:#5a6270}.overdue{color:#b42318;font-weight:600}.soon{color:#bf8700}
.pill{display:inline-block;padding:0 .45rem;border-radius:999px;background:#e3e6ea;font-size:.8rem}
svg{max-width:100%;height:auto;background:#fff}figure{margin:0 0 1rem}
@media (max-width:640px){main{padding:.6rem}th,td{padding:.3rem}.who{margin-left:0;width:100%}}
`;

/** Live SLA countdowns: every element with data-due (ms since epoch) shows the time left. */
export const APP_JS = `
(function(){
  function fmt(ms){var m=Math.round(Math.abs(ms)/60000),h=Math.floor(m/60),d=Math.floor(h/24);
    return d>0?d+'d '+(h%24)+'h':h>0?h+'h '+(m%60)+'m':m+'m';}
  function tick(){document.querySelectorAll('[data-due]').forEach(function(el){
    var left=Number(el.getAttribute('data-due'))-Date.now();
    var tpl=el.getAttribute(left<0?'data-over':'data-in')||'{time}';
    el.textContent=tpl.replace('{time}',fmt(left));el.classList.toggle('overdue',left<0);
    el.classList.toggle('soon',left>=0&&left<3600000);});}
  document.addEventListener('DOMContentLoaded',function(){tick();setInterval(tick,30000);
    var all=document.getElementById('select-all');if(all)all.addEventListener('change',function(){
      document.querySelectorAll('input[name=ticket]').forEach(function(c){c.checked=all.checked;});});});
})();
`;
