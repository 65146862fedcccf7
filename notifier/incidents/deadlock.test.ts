// "incident-timer … deadlock detected": a recovery batch touched incident_nodes and then
// closed incidents, while an alert step locked the incident and then its nodes. Both now
// take incidents first. This runs the competing jobs at once, many times, on real PostgreSQL.
import { QueueHub } from '../../core/queue';
import { DeliveryService } from '../delivery/service';
import type { LivenessEvent } from '../liveness/store';
import { createDb, type Db } from '../../core/db';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { TEST_REDIS_URL } from '../../test/support/env';
import { seedOwners } from '../../test/support/fleet';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { applyEvents } from './apply-events';
import { alertDue } from './due';
import { IncidentEffects } from './effects';
import { detachNode } from './membership';

const rules = { threshold: 100, windowMs: 1_800_000 };
const alertRules = {
  groupWaitMs: 0,
  updateIntervalMs: 0,
  reminderAfterMs: 3_600_000,
  reminderEveryMs: 86_400_000,
};

describe('incident lock order', () => {
  let tdb: TestDatabase;
  let db: Db;
  const prefix = testPrefix();
  let hub: QueueHub;
  let delivery: DeliveryService;
  let effects: IncidentEffects;
  let seq = 0;
  const ev = (nodeId: string, to: 'ONLINE' | 'OFFLINE', at: number): LivenessEvent => ({
    id: `${at}-${seq++}`,
    nodeId,
    to,
    at,
    source: 'push',
  });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    // Enough connections for every competitor to hold one at once: they must meet in locks.
    db = createDb(tdb.url, { poolSize: 16 });
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
    delivery = new DeliveryService(tdb.db.prisma, hub, new Set(['TELEGRAM']));
    effects = new IncidentEffects(db.pool, hub, delivery, alertRules);
  });
  afterAll(async () => {
    await hub.close();
    await db.close();
    await tdb.drop();
    await deleteKeys(prefix);
  });

  it('recovery batches, alert steps and node removal running together never deadlock', async () => {
    for (let round = 0; round < 6; round++) {
      const owners = await seedOwners(tdb.db.prisma, {
        owners: 40,
        nodesPerOwner: 3,
        platform: () => 'TELEGRAM',
        firstUserId: 860_000 + round * 100,
      });
      const t = Date.now() - 10_000;
      const nodes = owners.flatMap((o) => o.nodeIds);
      await applyEvents(
        db.pool,
        nodes.map((n) => ev(n, 'ONLINE', t)),
        rules,
      );
      await applyEvents(
        db.pool,
        nodes.map((n) => ev(n, 'OFFLINE', t + 1_000)),
        rules,
      );
      const incidents = await tdb.db.prisma.incident.findMany({
        where: { userId: { in: owners.map((o) => o.userId) }, closedAt: null },
      });
      expect(incidents).toHaveLength(40);
      // Two consumers recover nodes in opposite orders (closing incidents as they empty)
      // while timers alert the same incidents one by one and in batches, and nodes are removed.
      // Half the owners recover entirely (their incidents close), the others in part.
      const recover = owners.flatMap((o, k) => (k % 2 === 0 ? o.nodeIds : o.nodeIds.slice(0, 1)));
      const half = Math.floor(recover.length / 2);
      const results = await Promise.allSettled([
        applyEvents(
          db.pool,
          recover.slice(0, half).map((n) => ev(n, 'ONLINE', t + 2_000)),
          rules,
        ),
        applyEvents(
          db.pool,
          recover
            .slice(half)
            .reverse()
            .map((n) => ev(n, 'ONLINE', t + 2_000)),
          rules,
        ),
        ...incidents.slice(0, 8).map((i) => effects.alert(i.id)),
        alertDue(db.pool, delivery, alertRules, new Date()),
        ...owners.filter((_, k) => k % 8 === 1).map((o) => detachNode(db.pool, o.nodeIds[2]!)),
      ]);
      const failed = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason));
      expect(failed).toEqual([]);
      // Every incident took its alert step exactly once.
      const after = await tdb.db.prisma.incident.findMany({
        where: { id: { in: incidents.map((i) => i.id) } },
      });
      expect(after.every((i) => i.alertCount <= 1)).toBe(true);
    }
  }, 120_000);
});
