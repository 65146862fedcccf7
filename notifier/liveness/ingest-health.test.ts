// Issue 9, finding 1 (ingest-health guard): when heartbeat ingest itself is in doubt, push
// nodes are "unknown", not offline; staff hear it once; nodes get a grace time afterwards.
import { QueueHub } from '../../core/queue';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { PushIngestGuard, reportsKey, type IngestReport } from './ingest-health';
import { SourceHealth } from './source-health';
import { LivenessStore } from './store';
import { sweep } from './sweep';

const GRACE = 10_000;

describe('push ingest guard', () => {
  let hub: QueueHub;
  let prefix: string;
  let store: LivenessStore;
  let health: SourceHealth;
  let notices: Array<{ ok: boolean; reason?: string }>;
  let guard: PushIngestGuard;
  const t0 = 1_900_000_000_000;

  beforeEach(async () => {
    prefix = testPrefix();
    hub ??= new QueueHub({ redisUrl: TEST_REDIS_URL, prefix: 'unused' });
    store = new LivenessStore(hub.redis, prefix, 'push');
    health = new SourceHealth(hub.redis, prefix);
    notices = [];
    guard = new PushIngestGuard(
      hub.redis,
      prefix,
      health,
      { graceMs: GRACE, massHoldMs: 60_000 },
      async (n) => {
        notices.push(n);
      },
    );
  });
  afterEach(() => deleteKeys(prefix));
  afterAll(() => hub.close());

  /** One web process's last reports (three, a second apart, ending at `at`). */
  const report = (at: number, extra: Partial<IngestReport> = {}) =>
    hub.redis.hset(
      reportsKey(prefix),
      `web-${extra.lagMs ?? 0}`,
      JSON.stringify(
        [at - 2_000, at - 1_000, at].map((t) => ({
          at: t,
          accepted: 10,
          failed: 0,
          shed: 0,
          lagMs: 5,
          ...extra,
        })),
      ),
    );
  const nodes = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);
  const beat = (ids: string[], at: number) =>
    store.beat(
      ids.map((nodeId) => ({ nodeId, at })),
      at - GRACE,
    );
  const down = async () => (await store.counts()).down;

  it('without web reports (no web role) the sweep works as before', async () => {
    await beat(nodes(30, 'a'), t0);
    expect(await sweep([store], health, GRACE, t0 + GRACE + 1, guard)).toBe(30);
  });

  it('one event-loop spike is not starvation', async () => {
    await beat(nodes(3, 's'), t0);
    const at = t0 + GRACE + 1;
    await hub.redis.hset(
      reportsKey(prefix),
      'web-spike',
      JSON.stringify([
        { at: at - 2_000, accepted: 1, failed: 0, shed: 0, lagMs: 5 },
        { at: at - 1_000, accepted: 1, failed: 0, shed: 0, lagMs: 2_600 },
        { at, accepted: 1, failed: 0, shed: 0, lagMs: 8 },
      ]),
    );
    expect(await sweep([store], health, GRACE, at, guard)).toBe(3);
    expect(notices).toEqual([]);
  });

  it('a starved web process holds push nodes as unknown, tells staff once, then gives a grace time', async () => {
    await beat(nodes(3, 'b'), t0);
    const at = t0 + GRACE + 1;
    await report(at, { lagMs: 2_500 });
    expect(await sweep([store], health, GRACE, at, guard)).toBe(0);
    expect(await sweep([store], health, GRACE, at + 500, guard)).toBe(0);
    expect(notices).toEqual([{ ok: false, reason: expect.stringMatching(/starved/) }]);
    // Healthy again: one grace time before the silent nodes may be declared offline.
    await hub.redis.del(reportsKey(prefix));
    await report(at + 1_000);
    expect(await sweep([store], health, GRACE, at + 1_000, guard)).toBe(0);
    expect(notices.at(-1)).toEqual({ ok: true });
    await report(at + 1_000 + GRACE - 1);
    expect(await sweep([store], health, GRACE, at + 1_000 + GRACE - 1, guard)).toBe(0);
    await report(at + 1_000 + GRACE);
    expect(await sweep([store], health, GRACE, at + 1_000 + GRACE, guard)).toBe(3);
  });

  it('web processes that stopped reporting hold push nodes as unknown', async () => {
    await beat(nodes(2, 'c'), t0);
    await report(t0 - 60_000);
    expect(await sweep([store], health, GRACE, t0 + GRACE + 1, guard)).toBe(0);
    expect(notices[0]?.reason).toMatch(/no web process reported/);
  });

  it('heavy shedding (a flood) holds push nodes as unknown', async () => {
    await beat(nodes(2, 'd'), t0);
    await report(t0 + GRACE + 1, { shed: 200 });
    expect(await sweep([store], health, GRACE, t0 + GRACE + 1, guard)).toBe(0);
    expect(notices[0]?.reason).toMatch(/under load/);
  });

  it('a mass silence (half the push nodes at once) is held, then released after the hold time', async () => {
    const quiet = nodes(30, 'e');
    const steady = nodes(10, 'f');
    await beat([...quiet, ...steady], t0);
    const at = t0 + GRACE + 1;
    await beat(steady, at);
    await report(at);
    expect(await sweep([store], health, GRACE, at, guard)).toBe(0);
    expect(notices).toEqual([{ ok: false, reason: 'mass silence: 30 of 40 push nodes silent at once' }]);
    await beat(steady, at + 30_000);
    await report(at + 30_000);
    expect(await sweep([store], health, GRACE, at + 30_000, guard)).toBe(0);
    await beat(steady, at + 60_001);
    await report(at + 60_001);
    expect(await sweep([store], health, GRACE, at + 60_001, guard)).toBe(30);
    expect(notices.at(-1)).toEqual({ ok: true });
    expect(await down()).toBe(30);
  });

  it('a few nodes going silent while the rest beat is a real outage: alerted at once', async () => {
    const quiet = nodes(5, 'g');
    const steady = nodes(30, 'h');
    await beat([...quiet, ...steady], t0);
    const at = t0 + GRACE + 1;
    await beat(steady, at);
    await report(at);
    expect(await sweep([store], health, GRACE, at, guard)).toBe(5);
    expect(notices).toEqual([]);
  });
});
