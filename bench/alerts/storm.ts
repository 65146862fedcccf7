// Storm: 20,000 nodes across 2,000 owners (half on Telegram, half on Discord) beat, then
// 30% of the nodes drop at once. Counts DMs at the emulators (which enforce the platforms'
// real limits: Telegram 30/s, Discord 50/s) and compares the time to the last DM with the
// rate-limit floor: affected owners on a platform ÷ its limit, the larger of the two.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startDiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { startProduct } from './product';
import { startBeater } from './beater';
import { seedOwners } from '../../test/support/fleet';
import { TEST_REDIS_URL } from '../../test/support/env';
import { waitFor } from '../../test/support/wait';
import { fmt, openDiscordDms, report, scratch } from './common';

const OWNERS = Number(process.env.BENCH_OWNERS ?? 2_000);
const NODES_PER_OWNER = Number(process.env.BENCH_NODES_PER_OWNER ?? 10);
const DROP = Number(process.env.BENCH_DROP ?? 0.3);
const GRACE_S = 2;
const WAIT_S = 1;

export async function benchStorm() {
  const { tdb, prefix, cleanup } = await scratch();
  const tg = await startTelegramSandbox({
    limits: { globalPerSecond: 30, privatePerSecond: 1, privateBurst: 3, groupPerMinute: 20, timeScale: 1 },
  });
  const dc = await startDiscordSandbox({ limits: { globalPerSecond: 50 } });
  const product = await startProduct(
    {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ...tg.env(),
      DISCORD_TOKEN: dc.token,
      DISCORD_APPLICATION_ID: dc.applicationId,
      DISCORD_API_BASE: dc.apiBase,
      OFFLINE_GRACE_SECONDS: String(GRACE_S),
      ALERT_GROUP_WAIT_SECONDS: String(WAIT_S),
      SWEEP_INTERVAL_MS: '250',
    },
    ['workers'],
  );
  const { hub } = product;
  try {
    const owners = await seedOwners(tdb.db.prisma, {
      owners: OWNERS,
      nodesPerOwner: NODES_PER_OWNER,
      platform: (i) => (i % 2 === 0 ? 'TELEGRAM' : 'DISCORD'),
      firstUserId: 600_000_000_000_000,
    });
    for (const o of owners) {
      if (o.platform === 'TELEGRAM') tg.user(Number(o.platformUserId));
      else dc.user(o.platformUserId, { username: `u${o.platformUserId}` });
    }
    // Discord DM channels are opened when a user first uses the bot (bots/discord), so at
    // storm time they are known: open them the same way here, one REST call per user.
    await openDiscordDms(dc, tdb.db.prisma, owners);
    const warmup429 = dc.rateLimitHits();
    const all = owners.flatMap((o) => o.nodeIds);
    // Deterministic 30% drop, spread over owners (every node index k with k*DROP crossing an integer).
    const dropped = new Set(all.filter((_, k) => Math.floor((k + 1) * DROP) > Math.floor(k * DROP)));
    const affected = owners.filter((o) => o.nodeIds.some((n) => dropped.has(n)));
    const beater = startBeater(
      { redisUrl: TEST_REDIS_URL, prefix, graceMs: GRACE_S * 1000, everyMs: 300 },
      all,
    );
    const setupStart = Date.now();
    await waitFor(
      async () => (await tdb.db.prisma.node.count({ where: { state: 'ONLINE' } })) === all.length || null,
      {
        timeoutMs: 120_000,
        intervalMs: 250,
        what: 'fleet online',
      },
    );
    const setupS = (Date.now() - setupStart) / 1000;

    beater.setAlive(all.filter((n) => !dropped.has(n)));
    const dropAt = Date.now();
    const cpu0 = product.cpuSeconds();
    const hr0 = process.hrtime.bigint() / 1000n;
    const elu0 = performance.eventLoopUtilization();
    const isAlert = (text: string | undefined) => /went offline/.test(text ?? '');
    // Waiting polls cheap counters (the emulators' logs are cloned on every read); the time
    // of the last DM is read from the emulators' logs afterwards, so polling costs no precision.
    const sentJobs = async () =>
      (await hub.queue('deliver-telegram').getCompletedCount()) +
      (await hub.queue('deliver-discord').getCompletedCount());
    const want = affected.length;
    const alertsSeen = () =>
      tg.calls('sendMessage').filter((c) => c.status === 200 && isAlert(String(c.params.text ?? ''))).length +
      dc
        .requests({ method: 'POST', status: 200 })
        .filter((r) => isAlert((r.body as { content?: string })?.content)).length;
    // The emulators' logs are read only once the cheap count says all may be there.
    await waitFor(async () => ((await sentJobs()) >= want && alertsSeen() >= want) || null, {
      timeoutMs: 600_000,
      intervalMs: 250,
      what: 'all alerts',
    });
    const cpuS = product.cpuSeconds() - cpu0;
    const elu = performance.eventLoopUtilization(elu0);
    // Let stragglers (duplicates, if any) surface before counting.
    await waitFor(
      async () =>
        (await hub.queue('deliver-telegram').getJobCountByTypes('waiting', 'active', 'delayed')) +
          (await hub.queue('deliver-discord').getJobCountByTypes('waiting', 'active', 'delayed')) ===
          0 || null,
      { timeoutMs: 60_000 },
    );
    await beater.stop();
    const tgOk = tg
      .calls('sendMessage')
      .filter((c) => c.status === 200 && isAlert(String(c.params.text ?? '')));
    const dcOk = dc
      .requests({ method: 'POST', status: 200 })
      .filter(
        (r) =>
          /\/channels\/\d+\/messages$/.test(r.path) && isAlert((r.body as { content?: string })?.content),
      );
    const tg429 = tg.calls('sendMessage').filter((c) => c.status === 429).length;
    const dc429 = dc.rateLimitHits() - warmup429;
    const tgCount = () => tgOk.length;
    const dcCount = () => dcOk.length;
    const lastAt = Math.max(...tgOk.map((c) => +c.at), ...dcOk.map((r) => +r.at));
    if (process.env.BENCH_MARKS)
      console.log(`storm window (hrtime µs): ${hr0} ${hr0 + BigInt((lastAt - dropAt) * 1000)}`);

    const perTg = new Map<string, number>();
    for (const m of tg.sent())
      if (isAlert(m.text)) perTg.set(String(m.chat.id), (perTg.get(String(m.chat.id)) ?? 0) + 1);
    const perDc = new Map<string, number>();
    for (const o of owners)
      if (o.platform === 'DISCORD')
        perDc.set(
          o.platformUserId,
          dc
            .user(o.platformUserId)
            .dms()
            .filter((m) => isAlert(m.content)).length,
        );
    const counts = affected.map((o) =>
      o.platform === 'TELEGRAM' ? (perTg.get(o.platformUserId) ?? 0) : (perDc.get(o.platformUserId) ?? 0),
    );
    const duplicates = counts.reduce((s, c) => s + Math.max(0, c - 1), 0);
    const missed = counts.filter((c) => c === 0).length;
    const affTg = affected.filter((o) => o.platform === 'TELEGRAM').length;
    const affDc = affected.length - affTg;
    const floorS = Math.max(affTg / 30, affDc / 50);
    const dueAt = dropAt + (GRACE_S + WAIT_S) * 1000;
    const sinceDueS = (lastAt - dueAt) / 1000;
    const ratio = sinceDueS / floorS;
    const tgCalls = tg.calls('sendMessage').map((c) => +c.at);
    const dcCalls = dc
      .requests({ method: 'POST' })
      .filter((r) => /\/messages$/.test(r.path))
      .map((r) => +r.at);
    const span = (xs: number[]) =>
      xs.length
        ? `${fmt((Math.min(...xs) - dueAt) / 1000, 1)} → ${fmt((Math.max(...xs) - dueAt) / 1000, 1)} s after due`
        : '-';
    const jobs = [
      ...(await hub.queue('deliver-telegram').getJobs(['completed'], 0, -1)),
      ...(await hub.queue('deliver-discord').getJobs(['completed'], 0, -1)),
    ];
    const queued = jobs.map((j) => j.timestamp);
    const pickedUp = jobs.map((j) => j.processedOn ?? j.timestamp);
    const parks = jobs.reduce((s, j) => s + Math.max(0, (j.attemptsStarted ?? 1) - 1), 0);
    const stormS = (lastAt - dropAt) / 1000;
    // Where the time to the first alert goes: judged offline (event time), applied (incident opened).
    const { rows: phases } = await tdb.db.pool.query<{ j0: Date; j1: Date; o0: Date; o1: Date }>(
      `SELECT (SELECT min(at) FROM node_transitions WHERE "to" = 'OFFLINE') AS j0,
              (SELECT max(at) FROM node_transitions WHERE "to" = 'OFFLINE') AS j1,
              (SELECT min(opened_at) FROM incidents) AS o0, (SELECT max(opened_at) FROM incidents) AS o1`,
    );
    const ph = phases[0]!;
    // A live node declared offline means the bench process starved its own beater (load),
    // and its owner's "update" message is then counted as a duplicate: say so.
    const { rows: falseDrops } = await tdb.db.pool.query<{ n: number }>(
      `SELECT count(DISTINCT node_id)::int AS n FROM node_transitions WHERE "to" = 'OFFLINE' AND NOT (node_id = ANY($1::uuid[]))`,
      [[...dropped]],
    );
    report(
      'Storm: 30% of 20,000 nodes drop at once',
      {
        'owners / nodes': `${fmt(OWNERS)} / ${fmt(all.length)}`,
        'dropped nodes / affected owners': `${fmt(dropped.size)} / ${fmt(affected.length)} (TG ${affTg}, Discord ${affDc})`,
        'fleet online in (s)': fmt(setupS, 1),
        'DMs sent: Telegram / Discord': `${fmt(tgCount())} / ${fmt(dcCount())}`,
        duplicates: duplicates,
        'owners missed': missed,
        'live nodes declared offline (beater starved)': falseDrops[0]!.n,
        '429s answered: Telegram / Discord': `${tg429} / ${dc429}`,
        '429s per DM': `${fmt(((tg429 + dc429) / Math.max(1, want)) * 100, 2)}%`,
        'drop → last DM (s)': fmt((lastAt - dropAt) / 1000, 1),
        'alerts due (drop + grace + wait) → last DM (s)': fmt(sinceDueS, 1),
        'rate-limit floor (s)': fmt(floorS, 1),
        'ratio to floor': fmt(ratio, 3),
        'Telegram sends (first → last)': span(tgCalls),
        'Discord sends (first → last)': span(dcCalls),
        'nodes judged offline (first → last)': span([+ph.j0, +ph.j1]),
        'incidents opened (first → last)': span([+ph.o0, +ph.o1]),
        'alerts queued (first → last)': span(queued),
        'alert jobs last started (first → last)': span(pickedUp),
        'jobs parked (delayed and re-run)': fmt(parks),
        'product runs in': product.where,
        'product CPU during storm (s, user+sys)': `${fmt(cpuS, 1)} (${fmt((cpuS / stormS) * 100)}% of one core)`,
        'bench event loop busy during storm': `${fmt(elu.utilization * 100)}%`,
        'load average (1 min)': fmt(os.loadavg()[0]!, 2),
      },
      {
        ok: duplicates === 0 && missed === 0 && ratio <= 1.05 && tg429 + dc429 <= 0.01 * want,
        target: '0 duplicates, 0 missed, ≤ 1.05 × floor, 429s ≤ 1% of DMs',
      },
    );
    return { duplicates, missed, ratio };
  } finally {
    await product.stop();
    await dc.stop();
    await tg.stop();
    await cleanup();
  }
}

if (require.main === module)
  void benchStorm().then(
    () => process.exit(0),
    (e) => (console.error(e), process.exit(1)),
  );
