// Peak RSS of a real `nodedesk start --roles workers` process with 1,000,000 tracked nodes
// (100,000 owners × 10) while 1% of them drop: sweep, 10,000 transitions, incidents, alerts.
import fs from 'node:fs';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { spawnCli } from '../../test/support/cli';
import { TEST_REDIS_URL } from '../../test/support/env';
import { waitFor } from '../../test/support/wait';
import { LivenessStore } from '../../notifier/liveness/store';
import { QueueHub } from '../../core/queue';
import { fmt, report, scratch } from './common';

const OWNERS = Number(process.env.BENCH_RSS_OWNERS ?? 100_000);
const PER = 10;
const SWEEP_MS = 250;
const GROUP_WAIT_MS = 1_000;

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

export async function benchRss() {
  const { tdb, prefix, cleanup } = await scratch();
  const tg = await startTelegramSandbox({ limits: false });
  const hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
  const pool = tdb.db.pool;
  let child: ReturnType<typeof spawnCli> | undefined;
  try {
    const t0 = performance.now();
    await pool.query(
      `INSERT INTO users (id, updated_at) SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, now() FROM generate_series(1, $1) g`,
      [OWNERS],
    );
    await pool.query(
      `INSERT INTO identities (id, user_id, platform, platform_user_id, dm_chat_id, locale, updated_at)
       SELECT gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'TELEGRAM', (700000000 + g)::text, (700000000 + g)::text, 'en', now()
         FROM generate_series(1, $1) g`,
      [OWNERS],
    );
    await pool.query(
      `INSERT INTO nodes (id, external_id, user_id, state, updated_at)
       SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(g), 12, '0'))::uuid, 'rss-node-' || g,
              ('00000000-0000-4000-8000-' || lpad(to_hex((g - 1) / ${PER} + 1), 12, '0'))::uuid, 'ONLINE', now()
         FROM generate_series(1, $1) g`,
      [OWNERS * PER],
    );
    // A database that grew to 1M nodes has planner statistics (autovacuum); a bulk load this
    // fast has none until autovacuum comes by, and every plan would be a guess.
    await pool.query('ANALYZE');
    const nodeId = (g: number) => `00000000-0000-4000-9000-${g.toString(16).padStart(12, '0')}`;
    const store = new LivenessStore(hub.redis, prefix, 'push');
    const now = Date.now();
    for (let g = 1; g <= OWNERS * PER; g += 10_000) {
      const args: Array<string | number> = [];
      for (let k = g; k < Math.min(g + 10_000, OWNERS * PER + 1); k++) args.push(now, nodeId(k));
      await hub.redis.zadd(store.live, ...(args as [number, string]));
    }
    // The bench writes liveness straight into Redis, as a running deployment holds it, so by
    // default Redis counts as built (the sentinel the rebuild writes). BENCH_REBUILD=1 leaves
    // it out: the workers then rebuild liveness from PostgreSQL first, as on a first start
    // or after Redis lost its data, and the figures include that process's heap growth.
    const rebuild = Boolean(process.env.BENCH_REBUILD);
    if (!rebuild) await hub.redis.set(`${prefix}:liveness:epoch`, String(Date.now()));
    const loadS = (performance.now() - t0) / 1000;
    for (let i = 1; i <= OWNERS; i++) if (i % 100 === 0) tg.user(700000000 + i);

    const spawnedAt = performance.now();
    child = spawnCli(['start', '--roles', 'workers'], {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: process.env.BENCH_TRACE ? 'info' : 'error',
      ...tg.env(),
      OFFLINE_GRACE_SECONDS: '3600',
      ALERT_GROUP_WAIT_SECONDS: String(GROUP_WAIT_MS / 1000),
      SWEEP_INTERVAL_MS: String(SWEEP_MS),
      ...(process.env.BENCH_HEAPSNAP ? { NODE_OPTIONS: '--heapsnapshot-signal=SIGUSR2' } : {}),
    });
    const pid = child.pid!;
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, statusKb(pid, 'VmRSS'));
      } catch {
        /* exited */
      }
    }, 50);
    await waitFor(
      async () =>
        (await hub.redis.exists(`${prefix}:liveness:events`)) === 1 ||
        (await hub.queue('liveness-sweep').getJobSchedulers()).length > 0 ||
        null,
      { timeoutMs: 30_000, what: 'workers up' },
    );
    // A first start on an empty Redis rebuilds liveness from PostgreSQL; the drop is
    // measured on the running pipeline, after that, and the rebuild is its own figure.
    await waitFor(async () => (await hub.redis.exists(`${prefix}:liveness:epoch`)) === 1 || null, {
      timeoutMs: 300_000,
      intervalMs: 100,
      what: 'liveness rebuilt',
    });
    const rebuildS = (performance.now() - spawnedAt) / 1000;
    const idleRss = statusKb(pid, 'VmRSS');
    if (process.env.BENCH_HEAPSNAP) {
      process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 15_000));
    }
    // 1% of the fleet (every 100th node, one per owner of every tenth owner) goes quiet.
    const quiet: Array<string | number> = [];
    for (let g = 1; g <= OWNERS * PER; g += 100) quiet.push(now - 2 * 3_600_000, nodeId(g));
    await hub.redis.zadd(store.live, ...(quiet as [number, string]));
    const dropStart = performance.now();
    // BENCH_TRACE=1: one line a second of where the drop is (stream, pending, applied, queued).
    const trace = process.env.BENCH_TRACE
      ? setInterval(() => {
          void Promise.all([
            hub.redis.xlen(store.events),
            hub.redis.xpending(store.events, 'notifier').catch(() => [0]),
            pool.query(`SELECT count(*)::int AS n FROM node_transitions WHERE "to" = 'OFFLINE'`),
            hub.queue('deliver-telegram').getJobCounts('waiting', 'delayed', 'completed', 'active'),
          ]).then(([len, pend, tr, jobs]) =>
            console.log(
              `t=${((performance.now() - dropStart) / 1000).toFixed(1)}s stream=${len} pending=${(pend as unknown[])[0]} applied=${tr.rows[0].n} jobs=${JSON.stringify(jobs)}`,
            ),
          );
        }, 1_000)
      : undefined;
    await waitFor(
      async () =>
        (await pool.query(`SELECT count(*)::int AS n FROM node_transitions WHERE "to" = 'OFFLINE'`)).rows[0]
          .n >=
          quiet.length / 2 || null,
      {
        timeoutMs: 300_000,
        intervalMs: 50,
        what: 'transitions applied',
      },
    );
    const appliedS = (performance.now() - dropStart) / 1000;
    await waitFor(
      async () =>
        (await hub
          .queue('deliver-telegram')
          .getJobCounts('waiting', 'delayed', 'completed', 'failed', 'active')
          .then((c) => Object.values(c).reduce((s, n) => s + (n ?? 0), 0))) >=
          quiet.length / 2 || null,
      {
        timeoutMs: 300_000,
        intervalMs: 50,
        what: 'alerts queued',
      },
    );
    const queuedS = (performance.now() - dropStart) / 1000;
    if (trace) {
      clearInterval(trace);
      process.stdout.write(
        child
          .output()
          .stdout.split('\n')
          .filter((l) => /rebuilt|error|warn/i.test(l))
          .join('\n') + '\n',
      );
    }
    clearInterval(sampler);
    const hwm = statusKb(pid, 'VmHWM');
    const peakMb = Math.max(peak, hwm) / 1024;
    report(
      `Mass outage and peak RSS of the workers process at ${fmt(OWNERS * PER)} tracked nodes`,
      {
        'tracked nodes / owners': `${fmt(OWNERS * PER)} / ${fmt(OWNERS)}`,
        'setup (PostgreSQL + Redis) (s)': fmt(loadS, 1),
        [rebuild ? 'start → liveness rebuilt from PostgreSQL (s)' : 'start → ready (s)']: fmt(rebuildS, 1),
        'RSS idle (MB)': fmt(idleRss / 1024, 0),
        'drop: 10,000 nodes → transitions applied (s)': fmt(appliedS, 1),
        'drop → 10,000 alerts queued (s)': fmt(queuedS, 1),
        '  of which sweep interval + group wait (s)': fmt((SWEEP_MS + GROUP_WAIT_MS) / 1000, 2),
        'peak RSS (VmHWM) (MB)': fmt(peakMb, 0),
      },
      {
        ok: appliedS <= 2 && queuedS - (SWEEP_MS + GROUP_WAIT_MS) / 1000 <= 5 && peakMb <= 300,
        target: 'applied ≤ 2 s, queued ≤ 5 s after the group wait, RSS ≤ 300 MB',
      },
    );
    return { peakMb };
  } finally {
    child?.kill('SIGTERM');
    await child?.done;
    await hub.close();
    await tg.stop();
    await cleanup();
  }
}

if (require.main === module)
  void benchRss().then(
    () => process.exit(0),
    (e) => (console.error(e), process.exit(1)),
  );
