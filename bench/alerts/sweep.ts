// Sweep: 1,000,000 nodes tracked in the live set; time per sweep when nothing expired
// (the common case) and when 1% of the fleet (10,000 nodes) went quiet at once.
import IORedis from 'ioredis';
import { LivenessStore } from '../../notifier/liveness/store';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { fmt, percentile, report } from './common';
import { sweep, SWEEP_BATCH } from '../../notifier/liveness/sweep';
import type { SourceHealth } from '../../notifier/liveness/source-health';

const TRACKED = Number(process.env.BENCH_TRACKED ?? 1_000_000);
const healthy = { get: async () => ({ ok: true, since: 0 }) } as unknown as SourceHealth;

export async function benchSweep() {
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL);
  const store = new LivenessStore(redis, prefix, 'push');
  try {
    const now = Date.now();
    const t0 = performance.now();
    for (let i = 0; i < TRACKED; i += 10_000) {
      const args: Array<string | number> = [];
      for (let j = i; j < Math.min(TRACKED, i + 10_000); j++) args.push(now - (j % 100) * 100, `node-${j}`);
      await redis.zadd(store.live, ...(args as [number, string]));
    }
    const loadMs = performance.now() - t0;
    const graceMs = 120_000;

    const idle: number[] = [];
    for (let k = 0; k < 50; k++) {
      const s = performance.now();
      await sweep([store], healthy, graceMs, now);
      idle.push(performance.now() - s);
    }
    idle.sort((a, b) => a - b);

    // 1% of the fleet goes quiet: move their last-seen before the cutoff, then sweep once.
    const quiet = Math.round(TRACKED / 100);
    const args: Array<string | number> = [];
    for (let j = 0; j < quiet; j++) args.push(now - graceMs - 1_000, `node-${j * 100}`);
    await redis.zadd(store.live, ...(args as [number, string]));
    const s = performance.now();
    const down = await sweep([store], healthy, graceMs, now);
    const stormMs = performance.now() - s;
    const info = await redis.memory('USAGE', store.live);
    report(
      'Sweep: 1,000,000 tracked nodes',
      {
        'tracked nodes': fmt(TRACKED),
        'load time (s)': fmt(loadMs / 1000, 1),
        'sweep, nothing expired p50 / p99 (ms)': `${fmt(percentile(idle, 50), 2)} / ${fmt(percentile(idle, 99), 2)}`,
        [`sweep, ${fmt(quiet)} went quiet (ms)`]: fmt(stormMs, 1),
        'nodes moved to down (with events)': fmt(down),
        'batch per Lua call': fmt(SWEEP_BATCH),
        'Redis memory of the live set (MB)': fmt(Number(info) / 1e6, 1),
      },
      { ok: percentile(idle, 99) <= 250 && stormMs <= 250, target: '≤ 250 ms per sweep' },
    );
    return { idleP99: percentile(idle, 99), stormMs };
  } finally {
    await deleteKeys(prefix);
    redis.disconnect();
  }
}

if (require.main === module)
  void benchSweep().then(
    () => process.exit(0),
    (e) => (console.error(e), process.exit(1)),
  );
