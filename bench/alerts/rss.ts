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
    const nodeId = (g: number) => `00000000-0000-4000-9000-${g.toString(16).padStart(12, '0')}`;
    const store = new LivenessStore(hub.redis, prefix, 'push');
    const now = Date.now();
    for (let g = 1; g <= OWNERS * PER; g += 10_000) {
      const args: Array<string | number> = [];
      for (let k = g; k < Math.min(g + 10_000, OWNERS * PER + 1); k++) args.push(now, nodeId(k));
      await hub.redis.zadd(store.live, ...(args as [number, string]));
    }
    const loadS = (performance.now() - t0) / 1000;
    for (let i = 1; i <= OWNERS; i++) if (i % 100 === 0) tg.user(700000000 + i);

    child = spawnCli(['start', '--roles', 'workers'], {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'error',
      ...tg.env(),
      OFFLINE_GRACE_SECONDS: '3600',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
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
    const idleRss = statusKb(pid, 'VmRSS');
    // 1% of the fleet (every 100th node, one per owner of every tenth owner) goes quiet.
    const quiet: Array<string | number> = [];
    for (let g = 1; g <= OWNERS * PER; g += 100) quiet.push(now - 2 * 3_600_000, nodeId(g));
    await hub.redis.zadd(store.live, ...(quiet as [number, string]));
    const dropStart = performance.now();
    await waitFor(
      async () =>
        (await pool.query(`SELECT count(*)::int AS n FROM node_transitions WHERE "to" = 'OFFLINE'`)).rows[0]
          .n >=
          quiet.length / 2 || null,
      {
        timeoutMs: 300_000,
        intervalMs: 200,
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
        intervalMs: 200,
        what: 'alerts queued',
      },
    );
    const queuedS = (performance.now() - dropStart) / 1000;
    clearInterval(sampler);
    const hwm = statusKb(pid, 'VmHWM');
    const peakMb = Math.max(peak, hwm) / 1024;
    report(
      'Peak RSS of the workers process at 1,000,000 tracked nodes',
      {
        'tracked nodes / owners': `${fmt(OWNERS * PER)} / ${fmt(OWNERS)}`,
        'setup (PostgreSQL + Redis) (s)': fmt(loadS, 1),
        'RSS idle (MB)': fmt(idleRss / 1024, 0),
        'drop: 10,000 nodes → transitions applied (s)': fmt(appliedS, 1),
        'drop → 10,000 alerts queued (s)': fmt(queuedS, 1),
        'peak RSS (VmHWM) (MB)': fmt(peakMb, 0),
      },
      { ok: peakMb <= 400, target: '≤ 400 MB' },
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
