// Bots under load: 200 concurrent sandbox users, half on Telegram and half on Discord, each
// sending /status, /nodes or /help, or pressing a button of its /start message, for
// BENCH_SECONDS (60). Reports the in-process routing time (update in → outcome out, inside
// our process: identity, roles, permission check, handler, audit; without the HTTP calls to
// the platform and so without its rate-limit waits), the round trip as the emulated users
// see it (which does include them: Telegram allows 30 messages/s per bot and 1/s per chat),
// the throughput, and whether any reply was lost or sent twice.
import { startDiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { createLogger } from '../../core/logger';
import { parseConfig } from '../../core/config';
import { startRuntime } from '../../cli/runtime';
import { TEST_REDIS_URL } from '../../test/support/env';
import { fmt, percentile, report, scratch } from '../alerts/common';

const USERS = Number(process.env.BENCH_USERS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const ACTIONS = ['status', 'nodes', 'help', 'press'] as const;

export async function benchBots() {
  const { tdb, prefix, cleanup } = await scratch();
  const tg = await startTelegramSandbox({ defaultTimeoutMs: 60_000 });
  const dc = await startDiscordSandbox({ interactionAckMs: 3_000 });
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
  });
  const routing: number[] = [];
  const byKind: Record<string, number[]> = {};
  // Users join over RAMP_MS (a cold process answering 200 first contacts at once measures
  // start-up, not steady state); samples count from MEASURE_FROM on.
  const RAMP_MS = Number(process.env.BENCH_RAMP_MS ?? 10_000);
  let measureFrom = Infinity;
  const runtime = await startRuntime({
    config,
    roles: ['bots'],
    logger: createLogger({ level: 'warn' }),
    observeRouting: (kind, ms) => {
      if (Date.now() < measureFrom) return;
      routing.push(ms);
      (byKind[kind] ??= []).push(ms);
    },
  });
  const roundTrip: number[] = [];
  let sent = 0;
  let lost = 0;
  let duplicated = 0;
  let warmupFailures = 0;
  const begin = Date.now();
  measureFrom = begin + RAMP_MS + 2_000;
  const deadline = measureFrom + SECONDS * 1000;
  const ramp = (i: number) => new Promise((r) => setTimeout(r, (i / USERS) * RAMP_MS));
  const half = Math.floor(USERS / 2);
  const pick = () => ACTIONS[Math.floor(Math.random() * ACTIONS.length)]!;

  const telegramUser = async (i: number) => {
    await ramp(2 * i);
    const u = tg.user(7_000_000 + i, { languageCode: i % 2 ? 'zh' : 'en' });
    let start;
    for (let attempt = 0; ; attempt++) {
      try {
        await u.send('/start');
        start = await u.nextMessage({ timeoutMs: 30_000 });
        break;
      } catch (err) {
        warmupFailures++;
        if (attempt >= 2) throw err;
      }
    }
    while (Date.now() < deadline) {
      const action = pick();
      const t0 = performance.now();
      const before = u.messages().length;
      const counted = Date.now() >= measureFrom;
      if (counted) sent++;
      try {
        if (action === 'press') await u.press(start, 'lang:en');
        else await u.send(`/${action}`);
        await u.nextMessage();
        if (counted) roundTrip.push(performance.now() - t0);
      } catch {
        lost++;
        continue;
      }
      // One request, one reply: anything more is a duplicate.
      const extra = u.messages().length - before - 1;
      if (extra > 0) duplicated += extra;
    }
  };
  const discordUser = async (i: number) => {
    await ramp(2 * i + 1);
    const u = dc.user(String(500_000_000_000_000_000n + BigInt(i)), { locale: i % 2 ? 'zh-CN' : 'en-US' });
    // A first contact that misses Discord's 3 s window during warm-up is retried (as a user would).
    let start;
    for (let attempt = 0; ; attempt++) {
      try {
        start = await (await u.slash('start')).reply({ timeoutMs: 15_000 });
        break;
      } catch (err) {
        warmupFailures++;
        if (attempt >= 4) throw err;
      }
    }
    while (Date.now() < deadline) {
      const action = pick();
      const t0 = performance.now();
      const counted = Date.now() >= measureFrom;
      if (counted) sent++;
      try {
        const handle =
          action === 'press'
            ? await u.press(start, 'lang:en')
            : await u.slash(
                action === 'nodes' ? 'nodes' : action,
                action === 'nodes' ? { subcommand: 'list' } : {},
              );
        await handle.reply({ timeoutMs: 30_000 });
        if (counted) roundTrip.push(performance.now() - t0);
        // These answers fit one message: a second callback or any follow-up is a duplicate.
        const callbacks = handle.responses.filter((r) => r.kind === 'callback').length;
        duplicated +=
          Math.max(0, callbacks - 1) + handle.responses.filter((r) => r.kind === 'followup').length;
      } catch {
        lost++;
      }
    }
  };
  await Promise.all([
    ...Array.from({ length: half }, (_, i) => telegramUser(i)),
    ...Array.from({ length: USERS - half }, (_, i) => discordUser(i)),
  ]);
  const elapsed = (Date.now() - measureFrom) / 1000;
  await runtime.stop();
  await dc.stop();
  await tg.stop();
  await cleanup();
  routing.sort((a, b) => a - b);
  roundTrip.sort((a, b) => a - b);
  const p99 = percentile(routing, 99);
  report(
    `bots: ${USERS} users (${half} Telegram, ${USERS - half} Discord) for ${SECONDS} s (shared, loaded machine)`,
    {
      'requests sent': sent,
      'replies received': roundTrip.length,
      'lost (no reply in time)': lost,
      'duplicated replies': duplicated,
      'warm-up first contacts retried (not measured)': warmupFailures,
      'throughput (replies/s)': fmt(roundTrip.length / elapsed, 1),
      'in-process routing p50 (ms)': fmt(percentile(routing, 50), 1),
      'in-process routing p99 (ms)': fmt(p99, 1),
      ...Object.fromEntries(
        Object.entries(byKind).map(([k, v]) => {
          v.sort((a, b) => a - b);
          return [
            `  ${k}: n / p50 / p99 (ms)`,
            `${v.length} / ${fmt(percentile(v, 50), 1)} / ${fmt(percentile(v, 99), 1)}`,
          ];
        }),
      ),
      'round trip at the user p50 (ms)': fmt(percentile(roundTrip, 50), 0),
      'round trip at the user p99 (ms)': fmt(percentile(roundTrip, 99), 0),
    },
    { ok: p99 < 100 && lost === 0 && duplicated === 0, target: 'p99 < 100 ms, none lost or duplicated' },
  );
}
