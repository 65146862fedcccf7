// Bots under load: 200 concurrent sandbox users, half on Telegram and half on Discord, each
// sending /status, /nodes or /help, or pressing a button of its /start message, for
// BENCH_SECONDS (60). The bots run in their own process (bench/bots/bot-process.ts), as in
// production; the emulators and the emulated users run here, so they do not share the
// measured event loop. Reported: update-in → reply-out inside the bots process (from the
// update's arrival to the first call carrying the answer, before the platform pacer and the
// REST queue, so rate-limit waits are excluded: bots/shared/latency.ts), the router's share
// of it, the round trip as the users see it (which does include the rate limits: Telegram
// allows 30 messages/s per bot and 1/s per chat), the throughput, and whether any reply was
// lost or sent twice (counted once everything is quiet, per user, against what was asked).
import { fork } from 'node:child_process';
import path from 'node:path';
import { startDiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { TEST_REDIS_URL } from '../../test/support/env';
import { fmt, percentile, report, scratch } from '../alerts/common';
import type { FromChild, Sample, ToChild } from './bot-process';
import type { InteractionResponseRecord } from '../../sandbox/discord/types';

const USERS = Number(process.env.BENCH_USERS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
// Users join over RAMP_MS (a cold process answering 200 first contacts at once measures
// start-up, not steady state); samples count from the end of the ramp on.
const RAMP_MS = Number(process.env.BENCH_RAMP_MS ?? 20_000);
// Each user waits THINK_MS on average (uniformly 0.5×–1.5×) between a reply and its next
// request: 200 users make ~200 requests/s, a very busy community. THINK_MS=0 is the
// saturation run (every user fires again the moment a reply lands, so by Little's law the
// latency is the number of users over the throughput, whatever the code does).
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 1000);
const think = () => new Promise((r) => setTimeout(r, THINK_MS * (0.5 + Math.random())));
const ACTIONS = ['status', 'nodes', 'help', 'press'] as const;
const BUTTONS = ['lang:en', 'help:'] as const;
const STAFF_CHAT = -100_900_000_001;

function botProcess() {
  // BENCH_PROFILE=dir writes a CPU profile of the bots process there.
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(path.join(__dirname, 'bot-process.ts'), [], {
    execArgv: [...prof, '-r', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <K extends FromChild['kind']>(kind: K) =>
    new Promise<Extract<FromChild, { kind: K }>>((resolve, reject) => {
      const on = (m: FromChild) => {
        if (m.kind === 'failed') reject(new Error(`bots process: ${m.message}`));
        else if (m.kind === kind) resolve(m as Extract<FromChild, { kind: K }>);
        else return;
        child.off('message', on);
      };
      child.on('message', on);
      // 'close', not 'exit': it comes after the IPC channel is drained, so a last message
      // sent before exiting is delivered first.
      child.once('close', (code) => reject(new Error(`bots process exited (${code})`)));
    });
  return { tell: (m: ToChild) => child.send(m), next, kill: () => child.kill() };
}

function stats(samples: Sample[], rows: Record<string, string | number>, label: string) {
  const groups = new Map<string, number[]>();
  for (const s of samples) {
    const key = `${label} ${s.platform ? s.platform.toLowerCase() + ' ' : ''}${s.kind}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(s.ms);
  }
  for (const [k, v] of [...groups].sort()) {
    v.sort((a, b) => a - b);
    rows[`  ${k}: n / p50 / p99 (ms)`] =
      `${v.length} / ${fmt(percentile(v, 50), 1)} / ${fmt(percentile(v, 99), 1)}`;
  }
}

export async function benchBots() {
  const { tdb, prefix, cleanup } = await scratch();
  const tg = await startTelegramSandbox({ defaultTimeoutMs: 60_000 });
  const dc = await startDiscordSandbox({ interactionAckMs: 3_000 });
  // Staff are configured as in production: Telegram role lookups (getChatMember) happen.
  tg.group(STAFF_CHAT, { title: 'staff' });
  const bots = botProcess();
  bots.tell({
    kind: 'start',
    env: {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'error',
      HTTP_PORT: '0',
      ...tg.env(),
      TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
      DISCORD_TOKEN: dc.token,
      DISCORD_APPLICATION_ID: dc.applicationId,
      DISCORD_GUILD_ID: dc.guildId,
      DISCORD_API_BASE: dc.apiBase,
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
    },
  });
  await bots.next('ready');

  const roundTrip: number[] = [];
  let sent = 0;
  let lost = 0;
  let warmupFailures = 0;
  // Users whose first contact failed five times (a starved machine): reported, not fatal.
  let neverStarted = 0;
  const begin = Date.now();
  const measureFrom = begin + RAMP_MS + 2_000;
  const deadline = measureFrom + SECONDS * 1000;
  const measuring = setTimeout(() => bots.tell({ kind: 'measure' }), measureFrom - Date.now());
  const ramp = (i: number) => new Promise((r) => setTimeout(r, (i / USERS) * RAMP_MS));
  const half = Math.floor(USERS / 2);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  // What each user asked for and got, reconciled at the end (late duplicates count too).
  const tgUsers: { messages: () => unknown[]; asked: number }[] = [];
  const dcHandles: { responses: InteractionResponseRecord[] }[] = [];

  const telegramUser = async (i: number) => {
    await ramp(2 * i);
    const u = tg.user(7_000_000 + i, { languageCode: i % 2 ? 'zh' : 'en' });
    const me = { messages: () => u.messages(), asked: 0 };
    tgUsers.push(me);
    let start;
    for (let attempt = 0; ; attempt++) {
      try {
        me.asked++;
        await u.send('/start');
        start = await u.nextMessage({ timeoutMs: 30_000 });
        break;
      } catch {
        warmupFailures++;
        if (attempt >= 4) return void neverStarted++;
      }
    }
    while (Date.now() < deadline) {
      const action = pick(ACTIONS);
      const t0 = performance.now();
      const counted = Date.now() >= measureFrom;
      if (counted) sent++;
      me.asked++;
      try {
        if (action === 'press') await u.press(start, pick(BUTTONS));
        else await u.send(`/${action}`);
        await u.nextMessage();
        if (counted) roundTrip.push(performance.now() - t0);
      } catch {
        lost++;
      }
      if (THINK_MS) await think();
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
      } catch {
        warmupFailures++;
        if (attempt >= 4) return void neverStarted++;
      }
    }
    while (Date.now() < deadline) {
      const action = pick(ACTIONS);
      const t0 = performance.now();
      const counted = Date.now() >= measureFrom;
      if (counted) sent++;
      try {
        const handle =
          action === 'press'
            ? await u.press(start, pick(BUTTONS))
            : await u.slash(action, action === 'nodes' ? { subcommand: 'list' } : {});
        dcHandles.push(handle);
        await handle.reply({ timeoutMs: 30_000 });
        if (counted) roundTrip.push(performance.now() - t0);
      } catch {
        lost++;
      }
      if (THINK_MS) await think();
    }
  };
  try {
    await Promise.all([
      ...Array.from({ length: half }, (_, i) => telegramUser(i)),
      ...Array.from({ length: USERS - half }, (_, i) => discordUser(i)),
    ]);
  } finally {
    clearTimeout(measuring);
  }
  const elapsed = (Date.now() - measureFrom) / 1000;
  bots.tell({ kind: 'stop' });
  const { latency, routing, cpuMs, elapsedMs, loopDelay, phases } = await bots.next('samples');
  // Quiet now: one answer per request, so anything more is a duplicate.
  let duplicated = 0;
  for (const u of tgUsers) duplicated += Math.max(0, u.messages().length - u.asked);
  for (const h of dcHandles) {
    // Answers: a message or update callback (4, 7), follow-ups, and the edit that fills a
    // deferred reply (5); a deferral itself (5, 6) is an acknowledgement, not an answer.
    const types = h.responses.flatMap((r) => (r.kind === 'callback' ? [r.type] : []));
    const answers =
      types.filter((t) => t === 4 || t === 7).length +
      h.responses.filter((r) => r.kind === 'followup').length +
      (types.includes(5) && h.responses.some((r) => r.kind === 'edit' && r.original) ? 1 : 0);
    duplicated += Math.max(0, answers - 1);
  }
  await dc.stop();
  await tg.stop();
  await cleanup();
  const all = latency.map((s) => s.ms).sort((a, b) => a - b);
  const byRouter = routing.map((s) => s.ms).sort((a, b) => a - b);
  roundTrip.sort((a, b) => a - b);
  const p99 = percentile(all, 99);
  const rows: Record<string, string | number> = {
    'requests sent': sent,
    'replies received': roundTrip.length,
    'lost (no reply in time)': lost,
    'duplicated replies': duplicated,
    'warm-up first contacts retried (not measured)': warmupFailures,
    'users that never got a first answer': neverStarted,
    'throughput (replies/s)': fmt(roundTrip.length / elapsed, 1),
    'bots process CPU (share of one core)': `${fmt((100 * cpuMs) / elapsedMs, 0)}%`,
    'bots event-loop delay p50 / p99 / max (ms)': loopDelay.map((x) => fmt(x, 1)).join(' / '),
    'update-in → reply-out p50 (ms)': fmt(percentile(all, 50), 1),
    'update-in → reply-out p99 (ms)': fmt(p99, 1),
  };
  stats(latency, rows, 'in→out');
  rows['router share p50 / p99 (ms)'] =
    `${fmt(percentile(byRouter, 50), 1)} / ${fmt(percentile(byRouter, 99), 1)}`;
  rows['round trip at the user p50 (ms)'] = fmt(percentile(roundTrip, 50), 0);
  rows['round trip at the user p99 (ms)'] = fmt(percentile(roundTrip, 99), 0);
  for (const [k, v] of Object.entries(phases)
    .sort((a, b) => b[1].totalMs - a[1].totalMs)
    .slice(0, 25))
    rows[`  phase ${k}`.slice(0, 80)] = `n ${v.n}, p50 ${fmt(v.p50, 1)}, p99 ${fmt(v.p99, 1)} ms`;
  const pace = THINK_MS ? `think ${THINK_MS} ms` : 'no think time (saturation)';
  report(`bots: ${USERS} users (${half} Telegram, ${USERS - half} Discord), ${pace}, ${SECONDS} s`, rows, {
    ok: p99 < 100 && lost === 0 && duplicated === 0 && neverStarted === 0,
    target: 'p99 < 100 ms, none lost or duplicated',
  });
}
