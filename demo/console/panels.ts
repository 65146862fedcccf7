// The console's other panels: the guided first run, the fleet and the staff view.
import type { PrismaClient } from '@prisma/client';
import type { DiscordSandbox } from '../../sandbox/discord';
import type { TelegramGroupHandle } from '../../sandbox/telegram';
import type { DemoCast, DemoWallet } from '../cast';
import type { DemoFleet, MinerAgents } from '../fleet';
import { dataBody, discordMessage, esc, telegramMessage } from './render';

export interface PanelDeps {
  prisma: PrismaClient;
  cast: DemoCast;
  wallet: DemoWallet;
  fleet: DemoFleet;
  agents: MinerAgents;
  dc: DiscordSandbox;
  staffGroup: TelegramGroupHandle;
  timing: { graceSeconds: number; groupWaitSeconds: number };
}

async function minerUserIds(d: PanelDeps): Promise<string[]> {
  const ids = await d.prisma.identity.findMany({
    where: {
      OR: [
        { platform: 'TELEGRAM', platformUserId: String(d.cast.telegramMiner.id) },
        { platform: 'DISCORD', platformUserId: d.cast.discordMiner.id },
      ],
    },
    select: { userId: true },
  });
  return [...new Set(ids.map((i) => i.userId))];
}

export interface GuideState {
  linked: boolean;
  added: boolean;
  stopped: boolean;
  alerted: boolean;
  recovered: boolean;
}

export async function guideState(d: PanelDeps): Promise<GuideState> {
  const users = await minerUserIds(d);
  const [wallets, alerted, recovered] = await Promise.all([
    d.prisma.wallet.count({ where: { userId: { in: users } } }),
    d.prisma.incident.count({ where: { userId: { in: users }, firstAlertAt: { not: null } } }),
    d.prisma.incident.count({
      where: { userId: { in: users }, firstAlertAt: { not: null }, closedAt: { not: null } },
    }),
  ]);
  const agents = d.agents.list();
  return {
    linked: wallets > 0,
    added: agents.length > 0,
    stopped: agents.some((a) => !a.on) || alerted > 0,
    alerted: alerted > 0,
    recovered: recovered > 0,
  };
}

export async function renderGuide(d: PanelDeps): Promise<string> {
  const s = await guideState(d);
  const first = d.agents.list()[0];
  const wait = d.timing.graceSeconds + d.timing.groupWaitSeconds;
  const btn = (label: string, action: string, body: unknown = {}) =>
    `<button class="go" data-action="${action}" ${dataBody(body)}>${esc(label)}</button>`;
  const steps: Array<{ done: boolean; title: string; body: string }> = [
    {
      done: s.linked,
      title: 'Link a wallet',
      body: `Send <code>/link</code> with the demo wallet <code class="addr">${esc(d.wallet.address)}</code>, then sign the message the bot shows. <em>The demo signs on the server with a wallet made for this run</em>, in place of Phantom or MetaMask. ${btn('1 · Send /link', '/api/tg/link')} ${btn('2 · Sign with the demo wallet', '/api/tg/sign')}`,
    },
    {
      done: s.added,
      title: 'Add a node',
      body: `<code>/addnode rig-tg-01</code> gives the node a heartbeat token. The console then beats for it every few seconds, as the agent on a miner's machine would. ${btn('Send /addnode rig-tg-01', '/api/tg/send', { text: '/addnode rig-tg-01' })}`,
    },
    {
      done: s.stopped,
      title: 'Stop the node',
      body: first
        ? `Stop <code>${esc(first.nodeId)}</code>'s heartbeats, as if the machine lost power. ${btn(`Stop ${first.nodeId}`, '/api/fleet/agent', { nodeId: first.nodeId, on: false })}`
        : 'Add a node first; then stop its heartbeats here or in the fleet panel.',
    },
    {
      done: s.alerted,
      title: 'Get the offline DM',
      body: `After ${d.timing.graceSeconds} s of silence the node counts as offline; ${d.timing.groupWaitSeconds} s later one DM names every node of yours that dropped (about ${wait} s in all).`,
    },
    {
      done: s.recovered,
      title: 'Start it again',
      body: first
        ? `Its next heartbeat brings a "back online" DM with the downtime. ${btn(`Start ${first.nodeId}`, '/api/fleet/agent', { nodeId: first.nodeId, on: true })}`
        : 'Then start it again and get "back online".',
    },
  ];
  const next = steps.findIndex((x) => !x.done);
  return `<ol class="steps">${steps
    .map(
      (x, i) =>
        `<li class="${x.done ? 'done' : i === next ? 'next' : ''}"><b>${x.done ? '✓ ' : ''}${esc(x.title)}</b><div>${x.body}</div></li>`,
    )
    .join(
      '',
    )}</ol>${next === -1 ? '<p class="done-all">That is the whole loop. Try the same on Discord, <code>/status</code> for the uptime chart, or a mass outage in the fleet panel.</p>' : ''}`;
}

export async function renderFleet(d: PanelDeps): Promise<string> {
  const mine = d.agents.list();
  const rows = mine.length
    ? await d.prisma.node.findMany({ where: { externalId: { in: mine.map((m) => m.nodeId) } } })
    : [];
  const state = new Map(rows.map((r) => [r.externalId, r.state]));
  const f = d.fleet.summary();
  const flap = f.flappingId ? d.fleet.sim.status(f.flappingId) : undefined;
  const mineHtml = mine.length
    ? `<table class="nodes"><tr><th>node</th><th>heartbeats</th><th>state</th><th></th></tr>${mine
        .map(
          (
            m,
          ) => `<tr data-node="${esc(m.nodeId)}"><td><code>${esc(m.nodeId)}</code><div class="sub">${esc(m.platform)}</div></td>
          <td>${m.on ? '<span class="ok">● sending</span>' : '<span class="bad">○ stopped</span>'}${m.lastBeatAt ? `<div class="sub">last ${new Date(m.lastBeatAt).toISOString().slice(11, 19)}</div>` : ''}</td>
          <td><span class="state s-${esc(state.get(m.nodeId) ?? 'UNKNOWN')}">${esc((state.get(m.nodeId) ?? 'UNKNOWN').toLowerCase())}</span></td>
          <td><button class="go" data-action="/api/fleet/agent" ${dataBody({ nodeId: m.nodeId, on: !m.on })}>${m.on ? 'Stop' : 'Start'}</button></td></tr>`,
        )
        .join('')}</table>`
    : '<p class="empty">No node of yours yet: <code>/addnode rig-tg-01</code> on Telegram or <code>/nodes add rig-dc-01</code> on Discord.</p>';
  return `<h3>Your nodes</h3>${mineHtml}
  <h3>The demo network</h3>
  <p><b>${f.total}</b> nodes of ${f.owners.length} demo users · <span class="ok">${f.online} online</span> · <span class="bad">${f.offline} offline</span>${f.apiDown ? ' · <span class="bad">network API down</span>' : ''}</p>
  <p class="sub">Flapping node <code>${esc(f.flappingId ?? '-')}</code> is ${esc(flap ?? '-')}. Next mass outage (${Math.round(100 * 0.3)} % of the fleet) in <span data-countdown="${f.nextOutageAt}">…</span>.</p>
  <table class="nodes owners"><tr><th>owner</th><th>on</th><th>nodes</th><th>offline</th></tr>${f.owners
    .map(
      (o) =>
        `<tr><td>${esc(o.name)}</td><td>${esc(o.platform.toLowerCase())}</td><td>${o.nodes}</td><td>${o.offline}</td></tr>`,
    )
    .join('')}</table>
  <div class="row">
    <button class="go" data-action="/api/fleet/outage">Mass outage now</button>
    <button class="go" data-action="/api/fleet/api" ${dataBody({ down: !f.apiDown })}>${f.apiDown ? 'Network API back up' : 'Network API down'}</button>
  </div>`;
}

/**
 * What staff see. Later features add a pane here (tickets in forum topics and private
 * threads, case cards with their buttons, the dashboard link): push a StaffPane.
 */
export interface StaffPane {
  id: string;
  title: string;
  render(d: PanelDeps): string | Promise<string>;
}

export const STAFF_PANES: StaffPane[] = [
  {
    id: 'tg-staff',
    title: 'Telegram · staff group',
    render(d) {
      const topics = new Map(d.staffGroup.topics().map((t) => [t.message_thread_id, t.name]));
      const items = d.staffGroup.transcript();
      if (items.length === 0)
        return '<p class="empty">Quiet so far. Staff notices (a network API outage, say) land here; support tickets will open forum topics here.</p>';
      return items
        .map((t) => {
          const topic = t.message.message_thread_id ? topics.get(t.message.message_thread_id) : undefined;
          return telegramMessage(
            t.message,
            t.fromBot,
            '/api/staff/tg-press',
            topic ? `# ${topic}` : undefined,
          );
        })
        .join('');
    },
  },
  {
    id: 'dc-mod',
    title: 'Discord · #mod-queue',
    render(d) {
      const messages = d.dc.channel(d.dc.modChannelId).messages();
      if (messages.length === 0)
        return '<p class="empty">Quiet so far. Moderators\' notices and fake-GPU case cards appear here.</p>';
      return messages.map((m) => discordMessage(m, false, '/api/staff/dc-press', '#mod-queue')).join('');
    },
  },
];

export async function renderStaff(d: PanelDeps): Promise<string> {
  const panes = await Promise.all(
    STAFF_PANES.map(
      async (p) =>
        `<section class="pane"><h3>${esc(p.title)}</h3><div class="chat">${await p.render(d)}</div></section>`,
    ),
  );
  const dashboard = `<p class="dashboard-link"><a href="/staff-dashboard" target="_blank" rel="noopener">Open the staff dashboard as ${esc(d.cast.telegramStaff.name)}</a> (a one-time link from /dashboard)</p>`;
  return dashboard + panes.join('');
}
