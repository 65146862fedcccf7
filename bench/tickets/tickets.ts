// Tickets under load: BENCH_TICKETS (500) Telegram users open a ticket at once (/support
// with the text, then the category button), worked from Discord threads
// (TICKETS_HOME=discord); then BENCH_MESSAGES (5,000) user messages are relayed to the
// staff threads. Reports open time, the relay latency from the user's message reaching
// the emulator to its POST into the staff thread (p50/p99), and throughput.
// Rate-limit waits are excluded: the emulators' limits are off, and messages are offered at
// BENCH_RATE (45/s), under Discord's global 50/s that our own pacer keeps to, so the pacer
// does not hold them either (its waits would otherwise be counted).
import { startDiscordSandbox } from '../../sandbox/discord';
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
    // Each thread's card and first message are in before the relay phase starts.
    const threadIds = new Set(dc.threads().map((t) => t.id));
    const settle = () =>
      dc.requests((r) => r.method === 'POST' && /\/channels\/\d+\/messages$/.test(r.path) && r.status === 200)
        .length;
    await dc.waitFor(() => settle() >= 2 * TICKETS || null, { what: 'cards', timeoutMs: 600_000 });
    const tickets = await prisma.ticket.count();

    // Relay: MESSAGES user messages at RATE/s, round-robin over the users.
    const sentAt = new Map<string, number>();
    const start = Date.now();
    for (let i = 0; i < MESSAGES; i++) {
      const due = start + (i / RATE) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const marker = `bench-msg-${i}-x`;
      sentAt.set(marker, Date.now());
      void users[i % TICKETS]!.send(marker);
    }
    const delivered = () =>
      dc.requests(
        (r) =>
          r.method === 'POST' &&
          threadIds.has(/\/channels\/(\d+)\/messages$/.exec(r.path)?.[1] ?? '') &&
          /bench-msg-\d+-x/.test(JSON.stringify(r.body ?? '')),
      );
    await dc.waitFor(() => new Set(delivered().map(markerOf)).size >= MESSAGES || null, {
      what: 'every relayed message',
      timeoutMs: 600_000,
    });
    const seen = new Map<string, number>();
    let duplicates = 0;
    for (const r of delivered()) {
      const m = markerOf(r);
      if (seen.has(m)) duplicates++;
      else seen.set(m, r.at);
    }
    const latencies = [...seen].map(([m, at]) => at - sentAt.get(m)!).sort((a, b) => a - b);
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

function markerOf(r: { body?: unknown }): string {
  return /bench-msg-\d+-x/.exec(JSON.stringify(r.body ?? ''))![0];
}
