// The shared sink on real Redis and PostgreSQL: a down alerts only after the grace time
// AND two consecutive polls; the first up recovers; maintenance changes nothing; nodes
// with a reporting heartbeat agent are judged by it; verdicts are recorded as signals.
import IORedis from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { LivenessStore } from '../liveness/store';
import { NetworkViewStore } from '../network-view';
import { SnapshotSink } from './sink';
import type { Liveness, NodeSnapshot } from './types';

describe('snapshot sink', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL);
  const store = new LivenessStore(redis, prefix, 'ionet');
  const push = new LivenessStore(redis, prefix, 'push');
  let sink: SnapshotSink;
  const nodeIds: string[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    sink = new SnapshotSink({
      pool: tdb.db.pool,
      redis,
      prefix,
      store,
      push,
      view: new NetworkViewStore(redis, prefix),
      graceMs: 10_000,
    });
    const user = await tdb.db.prisma.user.create({ data: {} });
    for (const externalId of ['dev-a', 'dev-b', 'dev-c']) {
      const n = await tdb.db.prisma.node.create({ data: { externalId, userId: user.id, network: 'ionet' } });
      nodeIds.push(n.id);
    }
  });
  afterAll(async () => {
    await tdb.drop();
    await deleteKeys(prefix);
    redis.disconnect();
  });

  const snap = (rawState: string, liveness: Liveness, at: number, extra: Partial<NodeSnapshot> = {}) => ({
    externalId: 'x',
    rawState,
    liveness,
    observedAt: at,
    verdicts: {},
    ...extra,
  });
  const down = async (id: string) => (await store.view([id])).get(id)?.down;

  it('goes down only after grace and two polls; recovers at the first up', async () => {
    const id = nodeIds[0]!;
    const t = 1_000_000;
    await sink.apply('ionet', [{ nodeId: id, snapshot: snap('up', 'online', t) }], t);
    expect(await down(id)).toBe(false);
    // Two polls but inside the grace time: nothing.
    await sink.apply('ionet', [{ nodeId: id, snapshot: snap('down', 'offline', t + 1_000) }], t + 1_000);
    await sink.apply('ionet', [{ nodeId: id, snapshot: snap('down', 'offline', t + 2_000) }], t + 2_000);
    expect(await down(id)).toBe(false);
    // Past the grace time, on the next poll: down.
    const r = await sink.apply(
      'ionet',
      [{ nodeId: id, snapshot: snap('down', 'offline', t + 12_000) }],
      t + 12_000,
    );
    expect(r.down).toBe(1);
    expect(await down(id)).toBe(true);
    const back = await sink.apply(
      'ionet',
      [{ nodeId: id, snapshot: snap('up', 'online', t + 13_000) }],
      t + 13_000,
    );
    expect(back.up).toBe(1);
    expect(await down(id)).toBe(false);
  });

  it('one down poll past the grace time is not enough; maintenance resets the count', async () => {
    const id = nodeIds[1]!;
    const t = 2_000_000;
    await sink.apply('ionet', [{ nodeId: id, snapshot: snap('up', 'online', t) }], t);
    await sink.apply('ionet', [{ nodeId: id, snapshot: snap('down', 'offline', t + 20_000) }], t + 20_000);
    await sink.apply(
      'ionet',
      [{ nodeId: id, snapshot: snap('paused', 'maintenance', t + 40_000) }],
      t + 40_000,
    );
    await sink.apply('ionet', [{ nodeId: id, snapshot: snap('down', 'offline', t + 60_000) }], t + 60_000);
    expect(await down(id)).toBe(false);
  });

  it('a node whose heartbeat agent reports is judged by it; blocked is recorded as a signal', async () => {
    const id = nodeIds[2]!;
    const t = Date.now();
    await push.beat([{ nodeId: id, at: t }], t - 10_000);
    for (const dt of [0, 20_000, 40_000])
      await sink.apply(
        'ionet',
        [{ nodeId: id, snapshot: snap('blocked', 'offline', t + dt, { verdicts: { blocked: true } }) }],
        t + dt,
      );
    expect(await down(id)).toBeUndefined();
    const signal = await tdb.db.prisma.nodeSignal.findUniqueOrThrow({
      where: { nodeId_kind: { nodeId: id, kind: 'blocked' } },
    });
    expect(signal).toMatchObject({ network: 'ionet', caseId: null });
  });
});
