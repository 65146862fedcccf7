// /status's two views on real PostgreSQL and Redis: the network's view beside the
// heartbeat's, and the flag when they disagree ("io.net says up; no heartbeat for 7 min").
import IORedis from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { LivenessStore } from './liveness/store';
import { NetworkViewStore } from './network-view';
import { StatusService } from './status';
import { viewLines } from './status-text';

describe('/status: network view and heartbeat view', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL);
  const push = new LivenessStore(redis, prefix, 'push');
  const view = new NetworkViewStore(redis, prefix);

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('shows both views and flags "io.net says up; no heartbeat for 7 min"; agreeing views are not flagged', async () => {
    const now = Date.now();
    const user = await tdb.db.prisma.user.create({ data: {} });
    const silent = await tdb.db.prisma.node.create({
      data: { externalId: 'dev-silent-0001', userId: user.id, network: 'ionet', state: 'ONLINE' },
    });
    const fine = await tdb.db.prisma.node.create({
      data: { externalId: 'dev-fine-0001', userId: user.id, network: 'ionet', state: 'ONLINE' },
    });
    const snap = (externalId: string) => ({
      externalId,
      rawState: 'up',
      liveness: 'online' as const,
      observedAt: now - 5_000,
      verdicts: {},
    });
    await view.write('ionet', [
      { nodeId: silent.id, snapshot: snap(silent.externalId) },
      { nodeId: fine.id, snapshot: snap(fine.externalId) },
    ]);
    await push.beat(
      [
        { nodeId: silent.id, at: now - 7 * 60_000 },
        { nodeId: fine.id, at: now - 2_000 },
      ],
      now - 3_600_000,
    );
    const status = new StatusService(tdb.db.pool, push, view, 65_000);
    const { nodes } = await status.forUser(user.id, now);
    const bySilent = nodes.find((n) => n.id === silent.id)!;
    expect(bySilent.network?.rawState).toBe('up');
    expect(bySilent.heartbeat?.online).toBe(false);
    expect(bySilent.disagreement).toMatchObject({ kind: 'network_up', network: 'ionet' });
    const text = viewLines('en', bySilent, now).join('\n');
    expect(text).toMatch(/io\.net says: up/);
    expect(text).toMatch(/heartbeat: /);
    expect(text).toMatch(/io\.net says up; no heartbeat for 7 min/);
    expect(nodes.find((n) => n.id === fine.id)!.disagreement).toBeUndefined();
  });
});
