// The io.net request budget with 1,000 watched devices, in simulated time against the
// sandbox (which enforces the documented limits with 429 on the same clock) and the real
// Redis limiter: no window is ever exceeded, and every device still gets visited, at the
// interval the budget allows (1,000 devices / (200 status reads per 5 min) = 25 min).
import crypto from 'node:crypto';
import IORedis from 'ioredis';
import { startRealNetworksSandbox, IONET_DOCUMENTED_LIMITS } from '../../sandbox/network';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { NetworkViewStore } from '../network-view';
import { RequestBudget } from './budget';
import { capacity } from './build';
import { IonetAdapter } from './ionet';
import { NetworkSource, type Clock } from './network-source';
import { DeviceScheduler } from './scheduler';

const DEVICES = 1_000;
const LIMITS = IONET_DOCUMENTED_LIMITS.map((l) => ({ ...l }));

function maxInAnyWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('io.net request budget', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL);

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('1,000 devices at the documented limits: no window exceeded, every device visited every ~25 min', async () => {
    let now = Date.UTC(2026, 11, 1);
    // Sleepers in parallel wake at their own deadlines, as with real time.
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        const until = now + ms;
        await Promise.resolve();
        now = Math.max(now, until);
      },
    };
    const net = await startRealNetworksSandbox({ clock: () => now });
    try {
      const user = await tdb.db.prisma.user.create({ data: {} });
      const ids = Array.from({ length: DEVICES }, () => crypto.randomUUID());
      for (const id of ids) net.ionet.add({ id });
      await tdb.db.prisma.node.createMany({
        data: ids.map((externalId) => ({ externalId, userId: user.id, network: 'ionet' })),
      });
      const everyMs = 30_000;
      const source = new NetworkSource({
        adapter: new IonetAdapter({ baseUrl: `${net.baseUrl}/ionet` }),
        pool: tdb.db.pool,
        budget: new RequestBudget(redis, prefix, 'ionet', LIMITS),
        scheduler: new DeviceScheduler(redis, prefix, 'ionet'),
        view: new NetworkViewStore(redis, prefix),
        everyMs,
        sliceMs: 300_000,
        timeoutMs: 5_000,
        clock,
      });
      const view = new NetworkViewStore(redis, prefix);
      const seen = new Map<string, number[]>();
      const end = now + 55 * 60_000;
      while (now < end) {
        const round = await source.round(now);
        if (!round.ok) throw new Error(`round failed: ${round.error}`);
        const watched = await source.resolve(round.snapshots.map((s) => s.externalId));
        const byExt = new Map(watched.map((w) => [w.externalId, w.id]));
        await view.write(
          'ionet',
          round.snapshots.map((snapshot) => ({ nodeId: byExt.get(snapshot.externalId)!, snapshot })),
        );
        for (const s of round.snapshots)
          seen.set(s.externalId, [...(seen.get(s.externalId) ?? []), s.observedAt]);
        if (round.snapshots.length === 0) now += 1_000;
      }

      expect(net.ionet.rejected429).toBe(0);
      const accepted = net.requests('ionet').filter((r) => r.status === 200);
      const of = (endpoint: string) =>
        accepted.filter((r) => r.path.endsWith(`/${endpoint}`)).map((r) => r.at);
      for (const l of LIMITS) {
        const times = l.name === 'overall' ? accepted.map((r) => r.at) : of(l.name);
        expect(maxInAnyWindow(times, l.windowMs)).toBeLessThanOrEqual(l.limit);
      }
      // Every device was visited, and again about every 25 minutes.
      expect(seen.size).toBe(DEVICES);
      const gaps = [...seen.values()].flatMap((t) => t.slice(1).map((x, i) => x - t[i]!));
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      const expected = capacity(
        {
          name: 'ionet',
          adapter: () => null as never,
          credential: 'ionet',
          limits: LIMITS,
          statusKinds: ['summary', 'details'],
        },
        everyMs,
        DEVICES,
      );
      expect(expected.devicesPerInterval).toBe(19); // 200 status reads per 301 s (1 s safety) × 30 s
      expect(Math.round(expected.intervalMs / 1000)).toBe(1505);
      expect(mean).toBeGreaterThan(0.9 * expected.intervalMs);
      expect(mean).toBeLessThan(1.1 * expected.intervalMs);
      process.stdout.write(
        `io.net budget: ${DEVICES} devices, ${accepted.length} requests in 55 simulated min ` +
          `(summary ${of('summary').length}, details ${of('details').length}, pow ${of('pow-summary').length}); ` +
          `mean interval per device ${(mean / 60_000).toFixed(1)} min\n`,
      );
    } finally {
      await net.stop();
    }
  }, 300_000);
});
