// The sandbox console: one page on 127.0.0.1 where a visitor plays a miner on Telegram and
// Discord side by side, drives the fleet and watches the staff chats. Panels are rendered
// here and pushed over server-sent events whenever an emulator or the fleet changes.
import Fastify, { type FastifyReply } from 'fastify';
import type { PrismaClient } from '@prisma/client';
import type { Logger } from '../../core/logger';
import type { DiscordSandbox } from '../../sandbox/discord';
import type { TelegramGroupHandle, TelegramSandbox } from '../../sandbox/telegram';
import type { DemoCast, DemoWallet } from '../cast';
import type { DemoFleet, MinerAgents } from '../fleet';
import { DiscordPane } from './discord';
import { renderPage } from './page';
import { renderFleet, renderGuide, renderStaff, type PanelDeps } from './panels';
import { TelegramPane } from './telegram';

export interface ConsoleOptions {
  port: number;
  tg: TelegramSandbox;
  dc: DiscordSandbox;
  staffGroup: TelegramGroupHandle;
  cast: DemoCast;
  wallet: DemoWallet;
  fleet: DemoFleet;
  agents: MinerAgents;
  prisma: PrismaClient;
  timing: { graceSeconds: number; groupWaitSeconds: number };
  logger: Logger;
}

export interface RunningConsole {
  url: string;
  /** Something changed: panels are re-rendered (coalesced) and pushed to every page. */
  changed(): void;
  close(): Promise<void>;
}

type PanelId = 'guide' | 'tg' | 'dc' | 'fleet' | 'staff';

export async function startConsole(o: ConsoleOptions): Promise<RunningConsole> {
  const onToken = (nodeId: string, token: string, platform: string) => o.agents.add(nodeId, token, platform);
  const tgPane = new TelegramPane(o.tg, o.cast.telegramMiner.id, o.wallet, onToken);
  const dcPane = new DiscordPane(o.dc, o.cast.discordMiner.id, o.wallet, onToken);
  const deps: PanelDeps = o;

  const render = async (): Promise<Record<PanelId, string>> => ({
    guide: await renderGuide(deps),
    tg: tgPane.render(),
    dc: dcPane.render(),
    fleet: await renderFleet(deps),
    staff: await renderStaff(deps),
  });

  // Server-sent events: every page gets the panels whose HTML changed since last time.
  const clients = new Set<FastifyReply>();
  let last: Partial<Record<PanelId, string>> = {};
  let timer: NodeJS.Timeout | undefined;
  let rendering = false;
  let again = false;
  const push = async () => {
    timer = undefined;
    if (rendering) {
      again = true;
      return;
    }
    rendering = true;
    try {
      const now = await render();
      for (const id of Object.keys(now) as PanelId[]) {
        if (now[id] === last[id]) continue;
        const frame = `event: panel\ndata: ${JSON.stringify({ id, html: now[id] })}\n\n`;
        for (const c of clients) c.raw.write(frame);
      }
      last = now;
    } catch (err) {
      o.logger.warn({ err: { message: (err as Error).message } }, 'console render failed');
    } finally {
      rendering = false;
      if (again) {
        again = false;
        changed();
      }
    }
  };
  const changed = () => {
    timer ??= setTimeout(() => void push(), 120);
  };
  const unsubscribe = [o.tg.onChange(changed), () => o.dc.state.events.off('change', changed)];
  o.dc.state.events.on('change', changed);
  // Node states and the guide come from the database: look again now and then.
  const poll = setInterval(changed, 2_000);

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  app.setErrorHandler((err, _req, reply) => {
    void reply.code(400).send({ error: (err as Error).message });
  });

  app.get('/', async (_req, reply) => {
    const panels = await render();
    return reply.type('text/html; charset=utf-8').send(
      renderPage({
        ...panels,
        tgChips: TelegramPane.chips(o.wallet),
        dcChips: DiscordPane.chips(o.wallet),
        walletAddress: o.wallet.address,
      }),
    );
  });

  app.get('/events', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    reply.raw.write(': connected\n\n');
    clients.add(reply);
    // Send everything once: the page may be older than the last push.
    void render().then((now) => {
      for (const id of Object.keys(now) as PanelId[])
        reply.raw.write(`event: panel\ndata: ${JSON.stringify({ id, html: now[id] })}\n\n`);
    });
    const ping = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      clients.delete(reply);
    });
  });

  type Body = Record<string, unknown>;
  const str = (b: Body, k: string): string => {
    const v = b[k];
    if (typeof v !== 'string') throw new Error(`${k} is missing`);
    return v;
  };
  const act = (path: string, fn: (b: Body) => Promise<unknown> | unknown) =>
    app.post(path, async (req, reply) => {
      await fn((req.body ?? {}) as Body);
      changed();
      return reply.code(204).send();
    });

  act('/api/tg/send', (b) => tgPane.send(str(b, 'text')));
  act('/api/tg/press', (b) => tgPane.press(Number(b.messageId), str(b, 'data')));
  act('/api/tg/link', () => tgPane.link());
  act('/api/tg/sign', () => tgPane.sign());
  act('/api/dc/send', (b) => dcPane.send(str(b, 'text')));
  act('/api/dc/press', (b) =>
    dcPane.press(
      str(b, 'messageId'),
      str(b, 'customId'),
      Array.isArray(b.values) ? (b.values as string[]) : undefined,
    ),
  );
  act('/api/dc/link', () => dcPane.link());
  act('/api/dc/sign', () => dcPane.sign());
  act('/api/staff/tg-press', (b) =>
    o.staffGroup.press(o.cast.telegramStaff.id, Number(b.messageId), str(b, 'data')),
  );
  act('/api/staff/dc-press', (b) =>
    o.dc.user(o.cast.discordStaff.id).press(str(b, 'messageId'), str(b, 'customId')),
  );
  act('/api/fleet/agent', (b) => {
    if (!o.agents.set(str(b, 'nodeId'), b.on === true)) throw new Error('No such node of yours.');
  });
  act('/api/fleet/outage', () => o.fleet.outageNow());
  act('/api/fleet/api', (b) => o.fleet.setApiDown(b.down === true));

  // The staff dashboard as the demo staff member: /dashboard in their private chat, then the link.
  app.get('/staff-dashboard', async (_req, reply) => {
    const staff = o.tg.user(o.cast.telegramStaff.id);
    await staff.send('/dashboard');
    const link = /(https?:\/\/\S+\/signin\/\S+)/.exec((await staff.nextMessage()).text ?? '')?.[1];
    return link ? reply.redirect(link, 303) : reply.code(502).send({ error: 'no sign-in link' });
  });
  // Files the bot sent (the uptime chart, transcripts), served from the emulators.
  app.get<{ Params: { id: string } }>('/files/tg/:id', async (req, reply) => {
    const f = o.tg.file(req.params.id);
    if (!f) return reply.code(404).send({ error: 'no such file' });
    return reply.type(f.mimeType ?? 'application/octet-stream').send(f.bytes);
  });
  app.get<{ Params: { id: string; n: string } }>('/files/dc/:id/:n', async (req, reply) => {
    const m = o.dc.message(req.params.id);
    const f = m?.files[Number(req.params.n)];
    if (!f) return reply.code(404).send({ error: 'no such file' });
    return reply.type(f.contentType || 'application/octet-stream').send(f.data);
  });

  await app.listen({ host: '127.0.0.1', port: o.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    changed,
    async close() {
      clearInterval(poll);
      clearTimeout(timer);
      for (const u of unsubscribe) u();
      for (const c of clients) c.raw.end();
      clients.clear();
      await app.close();
    },
  };
}
