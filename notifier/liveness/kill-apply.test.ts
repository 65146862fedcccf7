// kill -9 in the middle of applying one batch of 10,000 OFFLINE events: the batch is one
// transaction, so it applied wholly or not at all, and stays pending in the stream; a fresh
// workers process claims it and every owner gets exactly one offline DM.
import path from 'node:path';
import { spawn } from 'node:child_process';
import { QueueHub } from '../../core/queue';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { spawnCli, cleanEnv, ROOT } from '../../test/support/cli';
import { createTestDatabase } from '../../test/support/db';
import { TEST_REDIS_URL } from '../../test/support/env';
import { seedOwners } from '../../test/support/fleet';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { waitFor } from '../../test/support/wait';
import { GROUP } from './consumer';
import { LivenessStore } from './store';

const OWNERS = 200;
const NODES_PER_OWNER = 50;

it('kill -9 mid-way through a 10,000-node batch: after a fresh consumer, every owner has one offline DM', async () => {
  const tg = await startTelegramSandbox({ limits: { globalPerSecond: 30, privatePerSecond: 1 } });
  const tdb = await createTestDatabase();
  const prefix = testPrefix();
  const hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
  const env = {
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    ...tg.env(),
    OFFLINE_GRACE_SECONDS: '2',
    ALERT_GROUP_WAIT_SECONDS: '1',
    SWEEP_INTERVAL_MS: '250',
    LIVENESS_CLAIM_IDLE_MS: '1000',
  };
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'apply-child.ts')], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const childDone = new Promise((r) => child.on('close', r));
  let workers: ReturnType<typeof spawnCli> | undefined;
  try {
    const owners = await seedOwners(tdb.db.prisma, {
      owners: OWNERS,
      nodesPerOwner: NODES_PER_OWNER,
      platform: () => 'TELEGRAM',
      firstUserId: 530_000,
    });
    for (const o of owners) tg.user(Number(o.platformUserId));
    const nodeIds = owners.flatMap((o) => o.nodeIds);
    // Online as far as both stores know, without 10,000 ONLINE events ahead of the drop.
    await tdb.db.prisma.node.updateMany({ data: { state: 'ONLINE', lastSeenAt: new Date() } });
    const store = new LivenessStore(hub.redis, prefix, 'push');
    for (let i = 0; i < nodeIds.length; i += 5_000)
      await hub.redis.zadd(store.live, ...nodeIds.slice(i, i + 5_000).flatMap((id) => [Date.now(), id]));
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    expect(await store.markDown(nodeIds)).toBe(10_000);

    // The child has read the whole batch (pending) and holds its transaction's row locks.
    await waitFor(
      async () => {
        const [count] = (await hub.redis.xpending(store.events, GROUP)) as [number];
        if (count < 10_000) return null;
        const { rows } = await tdb.db.pool.query(
          `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'nodes' AND c.relnamespace = current_schema()::regnamespace
              AND l.mode = 'RowShareLock' AND l.pid <> pg_backend_pid()`,
        );
        return rows.length > 0 || null;
      },
      { timeoutMs: 60_000, intervalMs: 5, what: 'batch in progress' },
    );
    child.kill('SIGKILL');
    await childDone;
    // One transaction: all of it or none (a kill after the commit, before the ack, is the
    // other case this test allows; both must end in one DM per owner).
    const offline = await waitFor(
      async () => {
        const { rows } = await tdb.db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM nodes WHERE state = 'OFFLINE'`,
        );
        // The server ends the dead connection's transaction; wait until its locks are gone.
        const { rows: locks } = await tdb.db.pool.query(
          `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE c.relname = 'nodes' AND c.relnamespace = current_schema()::regnamespace AND l.pid <> pg_backend_pid()`,
        );
        return locks.length === 0 ? { n: rows[0]!.n } : null;
      },
      { timeoutMs: 30_000, what: 'killed transaction ended' },
    );
    expect([0, 10_000]).toContain(offline.n);
    const [pending] = (await hub.redis.xpending(store.events, GROUP)) as [number];
    expect(pending).toBe(10_000);

    workers = spawnCli(['start', '--roles', 'workers'], env);
    const alerts = (chat: string) =>
      tg.sent().filter((m) => String(m.chat.id) === chat && /went offline/.test(m.text ?? '')).length;
    await waitFor(() => owners.every((o) => alerts(o.platformUserId) >= 1) || null, {
      timeoutMs: 180_000,
      intervalMs: 500,
      what: 'every owner alerted',
    }).catch(async (err) => {
      const { rows } = await tdb.db.pool.query(
        `SELECT (SELECT count(*) FROM nodes WHERE state = 'OFFLINE') AS offline, (SELECT count(*) FROM incidents) AS incidents`,
      );
      const [left] = (await hub.redis.xpending(store.events, GROUP)) as [number];
      const out = workers!.output();
      throw new Error(
        `${(err as Error).message}; ${JSON.stringify(rows[0])}, pending ${left}, alerts ${owners.filter((o) => alerts(o.platformUserId) > 0).length}\n${out.stdout.slice(-2000)}\n${out.stderr.slice(-2000)}`,
      );
    });
    await waitFor(
      async () =>
        (await hub.queue('deliver-telegram').getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ||
        null,
      { timeoutMs: 30_000 },
    );
    expect(owners.map((o) => alerts(o.platformUserId)).filter((c) => c !== 1)).toEqual([]);
    const { rows } = await tdb.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM node_transitions WHERE "to" = 'OFFLINE'`,
    );
    expect(rows[0]!.n).toBe(10_000);
  } finally {
    child.kill('SIGKILL');
    workers?.kill('SIGKILL');
    await workers?.done;
    await hub.close();
    await tdb.drop();
    await deleteKeys(prefix);
    await tg.stop();
  }
}, 330_000);
