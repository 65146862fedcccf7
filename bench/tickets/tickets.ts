// Tickets under load: BENCH_TICKETS (500) Telegram users open a ticket at once (/support
// with the text, then the category button), worked from Discord threads
// (TICKETS_HOME=discord); then BENCH_MESSAGES (5,000) user messages are relayed to the
// staff threads. Reports open time, the relay latency from the user's message reaching
// the emulator to its POST into the staff thread (p50/p99), and throughput.
// Rate-limit waits are excluded, and measured: the emulators' limits are off, and the time
// each relayed message spent in our own pacer (Discord's global 50/s, per-channel rules) or
// waiting out a 429 is taken from its latency (the raw figure is printed too). Messages
// are offered at BENCH_RATE (45/s), under the pacer's 48.5/s, so those waits stay short
// when the relay keeps up; queueing behind a backlog is not a rate-limit wait and counts.
// Also printed: this process's CPU per relayed message (bot, workers and both emulators),
// a cost that does not depend on the machine's load.
import inspector from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFile } from 'node:fs/promises';
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import type { RequestRecord } from '../../sandbox/discord/types';
import { PacedConversation } from '../../bots/shared/port';
import { DiscordConversation } from '../../bots/discord/conversation';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { createLogger } from '../../core/logger';
import { parseConfig } from '../../core/config';
import { startRuntime } from '../../cli/runtime';
import { TEST_REDIS_URL } from '../../test/support/env';
import { fmt, percentile, report, scratch } from '../alerts/common';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 500);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5_000);
const RATE = Number(process.env.BENCH_RATE ?? 45);

export async function benchTickets() {
  const { tdb, prefix, cleanup } = await scratch();
  const tg = await startTelegramSandbox({ limits: false, defaultTimeoutMs: 600_000 });
  const dc = await startDiscordSandbox({ limits: false });
  const config = parseConfig({
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    HTTP_PORT: '0',
    ...tg.env(),
    DISCORD_TOKEN: dc.token,
    DISCORD_APPLICATION_ID: dc.applicationId,
    DISCORD_GUILD_ID: dc.guildId,
    DISCORD_API_BASE: dc.apiBase,
    DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
    DISCORD_SUPPORT_CHANNEL_ID: dc.supportChannelId,
    TICKETS_HOME: 'discord',
    TICKETS_PER_HOUR: '1000',
  });
  const runtime = await startRuntime({
    config,
    roles: ['bots', 'workers'],
    logger: createLogger({ level: 'warn' }),
  });
  const prisma = tdb.db.prisma;
  try {
    await dc.ready({ timeoutMs: 30_000 });
    const users = Array.from({ length: TICKETS }, (_, i) =>
      tg.user(30_000_000 + i, { firstName: `B${i}`, languageCode: 'en' }),
    );
    // Opens: all at once.
    const t0 = performance.now();
    await Promise.all(users.map((u, i) => u.send(`/support bench ticket ${i}`)));
    const asks = await Promise.all(users.map((u) => u.nextMessage()));
    // The opens are measured by their threads; a slow callback answer is not a lost ticket.
    await Promise.all(
      users.map((u, i) =>
        u.press(asks[i]!, { text: 'Something else' }, { timeoutMs: 600_000 }).catch(() => null),
      ),
    );
    const opened = performance.now() - t0;
    await dc.waitFor(() => dc.threads().length >= TICKETS || null, {
      what: 'every thread',
      timeoutMs: 600_000,
    });
    const threaded = performance.now() - t0;
    // Each thread's card and first message are in before the relay phase starts. The
    // request log is read once per request (it holds tens of thousands by the end; filtering
    // all of it on every emulator event made the wait itself the bottleneck).
    const threadIds = new Set(dc.threads().map((t) => t.id));
    let cards = 0;
    const posts = scanner(dc, (r) => {
      if (r.method === 'POST' && r.status === 200 && /\/channels\/\d+\/messages$/.test(r.path)) cards++;
    });
    await dc.waitFor(() => posts.scan() && cards >= 2 * TICKETS, { what: 'cards', timeoutMs: 600_000 });
    const tickets = await prisma.ticket.count();

    // Relay: MESSAGES user messages at RATE/s, round-robin over the users.
    // BENCH_CPU_PROFILE=<file>: a CPU profile of this phase only (the opens would drown it).
    const profiler = await startProfile(process.env.BENCH_CPU_PROFILE);
    const waits = rateLimitWaits();
    const seen = new Map<string, number>();
    let duplicates = 0;
    const relayed = scanner(dc, (r) => {
      if (r.method !== 'POST' || !threadIds.has(/\/channels\/(\d+)\/messages$/.exec(r.path)?.[1] ?? ''))
        return;
      const m = /bench-msg-\d+-x/.exec(JSON.stringify(r.body ?? ''))?.[0];
      if (!m) return;
      if (seen.has(m)) duplicates++;
      else seen.set(m, r.at);
    });
    const sentAt = new Map<string, number>();
    const cpu0 = process.cpuUsage();
    // The pacer grants one token per 20.6 ms and each grant is a Redis round trip from this
    // event loop: a loop that lags by more than that slows the pacer below the offered rate.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const start = Date.now();
    for (let i = 0; i < MESSAGES; i++) {
      const due = start + (i / RATE) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const marker = `bench-msg-${i}-x`;
      sentAt.set(marker, Date.now());
      void users[i % TICKETS]!.send(marker);
    }
    await dc.waitFor(() => relayed.scan() && seen.size >= MESSAGES, {
      what: 'every relayed message',
      timeoutMs: 600_000,
    });
    const cpu = process.cpuUsage(cpu0);
    lag.disable();
    await profiler?.stop();
    waits.stop();
    // Give a late duplicate (a retried relay) the chance to show.
    await new Promise((r) => setTimeout(r, 500));
    relayed.scan();
    const raw = [...seen].map(([m, at]) => at - sentAt.get(m)!).sort((a, b) => a - b);
    // The target's measure: time spent waiting on rate limits (our pacer's tokens, and a
    // 429's retry_after) is taken out; every other wait (queues, locks, CPU) stays in.
    const latencies = [...seen]
      .map(([m, at]) => at - sentAt.get(m)! - (waits.of.get(m) ?? 0))
      .sort((a, b) => a - b);
    const waited = [...waits.of.values()].sort((a, b) => a - b);
    const last = Math.max(...seen.values());
    const p99 = percentile(latencies, 99);
    report(
      'tickets: opens and relay (Telegram users → Discord staff threads)',
      {
        'tickets opened / threads': `${tickets} / ${threadIds.size}`,
        'all opens answered (ms)': fmt(opened),
        'all threads created (ms)': fmt(threaded),
        'open throughput (tickets/s)': fmt((TICKETS / threaded) * 1000, 1),
        'messages relayed / duplicates': `${seen.size} / ${duplicates}`,
        'offered rate (msg/s)': RATE,
        'relay throughput (msg/s)': fmt((seen.size / (last - start)) * 1000, 1),
        'relay CPU per message (ms, this process)': fmt((cpu.user + cpu.system) / 1000 / MESSAGES, 2),
        'event-loop delay p50 / p99 (ms)': `${fmt(lag.percentile(50) / 1e6, 1)} / ${fmt(lag.percentile(99) / 1e6, 1)}`,
        'rate-limit wait p50 / p99 / max (ms)': `${fmt(percentile(waited, 50))} / ${fmt(percentile(waited, 99))} / ${fmt(waited[waited.length - 1] ?? 0)}`,
        'latency with waits, p50 / p99 (ms)': `${fmt(percentile(raw, 50))} / ${fmt(percentile(raw, 99))}`,
        'relay latency p50 (ms)': fmt(percentile(latencies, 50)),
        'relay latency p99 (ms)': fmt(p99),
        'relay latency max (ms)': fmt(latencies[latencies.length - 1] ?? NaN),
        'emulator 429s': dc.rateLimitHits(),
      },
      { ok: p99 < 250, target: 'relay p99 < 250 ms' },
    );
  } finally {
    await runtime.stop();
    await dc.stop();
    await tg.stop();
    await cleanup();
  }
}

async function startProfile(file: string | undefined) {
  if (!file) return null;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((res, rej) => session.post(method, (err, out) => (err ? rej(err) : res(out))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** Reads each new request of the emulator's log once; `scan()` is true so it fits a `&&`. */
function scanner(dc: DiscordSandbox, onRequest: (r: RequestRecord) => void) {
  let next = 0;
  return {
    scan(): true {
      const fresh = dc.requestsSince(next);
      next += fresh.length;
      fresh.forEach(onRequest);
      return true;
    },
  };
}

/**
 * Rate-limit wait per relayed message: from the conversation port's post to the platform
 * call it makes once the pacer gave a token (and any 429 was waited out). Observed from
 * outside, by wrapping the two methods, so the product code carries no benchmark hooks.
 */
function rateLimitWaits() {
  const of = new Map<string, number>();
  const asked = new Map<string, number>();
  const markerIn = (reply: unknown) => /bench-msg-\d+-x/.exec(JSON.stringify(reply))?.[0];
  const paced = PacedConversation.prototype.post;
  const platform = DiscordConversation.prototype.post;
  PacedConversation.prototype.post = function (target, reply) {
    const m = markerIn(reply);
    if (m && !asked.has(m)) asked.set(m, performance.now());
    return paced.call(this, target, reply);
  };
  DiscordConversation.prototype.post = function (target, reply) {
    const m = markerIn(reply);
    const t = m === undefined ? undefined : asked.get(m);
    // The last attempt's start counts: waits before earlier (refused) attempts are waits too.
    if (m && t !== undefined) of.set(m, performance.now() - t);
    return platform.call(this, target, reply);
  };
  return {
    of,
    stop() {
      PacedConversation.prototype.post = paced;
      DiscordConversation.prototype.post = platform;
    },
  };
}
