import type { FastifyInstance } from 'fastify';
import { IdentityService } from '../accounts/identity';
import { NodeService } from '../accounts/nodes';
import { TokenIndex } from '../accounts/token-index';
import { QueueHub } from '../core/queue';
import { LivenessStore } from '../notifier/liveness/store';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { heartbeatRoutes } from './heartbeat';
import { IngestGuard } from './ingest-guard';
import { GpuInventoryStore } from '../notifier/gpu-inventory';
import { createMetrics } from './metrics';
import { buildWebServer } from './server';
import { createPool } from '../core/db';

describe('heartbeat API', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  let hub: QueueHub;
  let app: FastifyInstance;
  let url: string;
  let liveness: LivenessStore;
  let nodes: NodeService;
  let tokenA: string;
  let tokenB: string;
  let idA: string;
  let clock = 1_800_000_000_000;
  let gpus: GpuInventoryStore;
  let tokens: TokenIndex;
  let metrics: ReturnType<typeof createMetrics>;
  // The token index's own pool, with every query counted.
  let lookupPool: ReturnType<typeof createPool>;
  let lookups = 0;
  const pgQueries = async () => lookups;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
    liveness = new LivenessStore(hub.redis, prefix, 'push');
    lookupPool = createPool(tdb.url, 2);
    const query = lookupPool.query.bind(lookupPool) as (...a: unknown[]) => Promise<unknown>;
    (lookupPool as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a) => {
      lookups++;
      return query(...a);
    };
    tokens = new TokenIndex(tdb.db.prisma, hub.redis, prefix, { pool: lookupPool });
    nodes = new NodeService(tdb.db.prisma, { tokenCache: tokens });
    const me = await new IdentityService(tdb.db.prisma).ensure({
      platform: 'TELEGRAM',
      platformUserId: '77',
    });
    const a = await nodes.add(me, 'hb-node-aaaa');
    const b = await nodes.add(me, 'hb-node-bbbb');
    if (!a.ok || a.via !== 'token' || !b.ok || b.via !== 'token') throw new Error();
    tokenA = a.token;
    tokenB = b.token;
    idA = (await tdb.db.prisma.node.findUniqueOrThrow({ where: { externalId: 'hb-node-aaaa' } })).id;
    metrics = createMetrics();
    gpus = new GpuInventoryStore(hub.redis, prefix);
    ({ app } = await buildWebServer({
      pool: tdb.db.pool,
      redis: hub.redis,
      metrics,
      plugins: [
        heartbeatRoutes({
          tokens,
          liveness,
          graceMs: 120_000,
          metrics,
          now: () => clock,
          onGpus: (r) => gpus.record(r),
          // These tests fail on purpose many times from one address; shedding has its own test.
          guard: new IngestGuard({ perIp: 100_000, global: 100_000 }),
        }),
      ],
    }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/heartbeats`;
  });
  afterAll(async () => {
    await app.close();
    await lookupPool.end();
    await hub.close();
    await tdb.drop();
    await deleteKeys(prefix);
  });

  const post = (body: unknown, token?: string, raw?: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: raw ?? JSON.stringify(body),
    });
  const seen = async () => (await liveness.view([idA])).get(idA)?.at;

  it('202 with the right token, and last-seen updated', async () => {
    const res = await post(
      { node_id: 'hb-node-aaaa', status: 'online', gpus: [{ model: 'RTX 4090', uuid: 'GPU-1' }] },
      tokenA,
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(await seen()).toBe(clock);
    expect((await gpus.get([idA])).get(idA)?.gpus).toEqual([{ model: 'RTX 4090', uuid: 'GPU-1' }]);
  });

  it("401 for a wrong token, another node's token, or no auth; nothing stored", async () => {
    clock += 1000;
    const before = await seen();
    for (const [token, status] of [
      ['ndk_wrong', 401],
      [tokenB, 401],
      [undefined, 401],
    ] as const) {
      const res = await post({ node_id: 'hb-node-aaaa', status: 'online' }, token);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    expect(await seen()).toBe(before);
  });

  it('400 for malformed JSON or shape, 413 for a 1 MB body; nothing stored', async () => {
    clock += 1000;
    const before = await seen();
    const bad = await post(null, tokenA, '{"node_id": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_json');
    const shape = await post({ node_id: 'hb-node-aaaa', status: 'sleeping' }, tokenA);
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { error: { code: string } }).error.code).toBe('malformed');
    const big = await post(
      null,
      tokenA,
      JSON.stringify({ node_id: 'hb-node-aaaa', status: 'online', pad: 'x'.repeat(1024 * 1024) }),
    );
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('too_large');
    expect(await seen()).toBe(before);
  });

  it('batch: valid items are stored, rejected ones listed', async () => {
    clock += 5000;
    const res = await post({
      heartbeats: [
        { token: tokenA, node_id: 'hb-node-aaaa', status: 'online' },
        { token: 'ndk_nope', node_id: 'hb-node-zzzz', status: 'online' },
      ],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 1,
      rejected: [{ index: 1, node_id: 'hb-node-zzzz', error: 'unauthorized' }],
    });
    expect(await seen()).toBe(clock);
    const none = await post({
      heartbeats: [{ token: 'ndk_nope', node_id: 'hb-node-zzzz', status: 'online' }],
    });
    expect(none.status).toBe(401);
  });

  it('clock: a reading from the future is refused; an old one never moves last-seen back', async () => {
    const before = await seen();
    const future = await post(
      { node_id: 'hb-node-aaaa', status: 'online', sent_at: new Date(clock + 3_600_000).toISOString() },
      tokenA,
    );
    expect(future.status).toBe(400);
    expect(await seen()).toBe(before);
    const old = await post(
      { node_id: 'hb-node-aaaa', status: 'online', sent_at: new Date(clock - 60_000).toISOString() },
      tokenA,
    );
    expect(old.status).toBe(202);
    expect(await seen()).toBe(before);
  });

  it('a reading older than the grace time (sent_at in 1970) says nothing changed', async () => {
    const before = await seen();
    const res = await post(
      { node_id: 'hb-node-aaaa', status: 'online', sent_at: '1970-01-01T00:00:00Z' },
      tokenA,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('stale');
    expect(body.error.message).toMatch(/nothing changed/);
    expect(await seen()).toBe(before);
  });

  it('no credentials → 401 before the body is validated (an anonymous caller never learns the schema)', async () => {
    const res = await post({ node_id: 'hb-node-aaaa' });
    expect(res.status).toBe(401);
    const wrong = await post({ node_id: 'hb-node-aaaa' }, 'ndk_not_a_real_token_at_all');
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toMatch(/status|online/);
    // With a valid token the same body is a 400 that names the problem.
    const mine = await post({ node_id: 'hb-node-aaaa' }, tokenA);
    expect(mine.status).toBe(400);
  });

  it('batch with one malformed item: the valid items are stored, the bad one listed', async () => {
    clock += 1000;
    const res = await post({
      heartbeats: [
        { token: tokenA, node_id: 'hb-node-aaaa', status: 'online' },
        { token: tokenA, node_id: 'hb-node-aaaa', status: 'sleeping' },
        { token: 'ndk_nope', node_id: 'hb-node-zzzz', status: 'nonsense' },
      ],
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: Array<Record<string, unknown>> };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.error])).toEqual([
      [1, 'malformed'],
      [2, 'unauthorized'],
    ]);
    // The unauthenticated item reveals nothing about the schema.
    expect(body.rejected[1]).toEqual({ index: 2, node_id: 'hb-node-zzzz', error: 'unauthorized' });
    expect(await seen()).toBe(clock);
  });

  it('clock_in_future is counted under its own metric reason, not as unauthorized', async () => {
    const metric = async (reason: string) =>
      (await metrics.heartbeatsRejected.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
    const before = { future: await metric('clock_in_future'), unauth: await metric('unauthorized') };
    await post(
      { node_id: 'hb-node-aaaa', status: 'online', sent_at: new Date(clock + 3_600_000).toISOString() },
      tokenA,
    );
    expect(await metric('clock_in_future')).toBe(before.future + 1);
    expect(await metric('unauthorized')).toBe(before.unauth);
  });

  it('GPU model strings are normalized: no NUL, right-to-left or invisible characters stored', async () => {
    clock += 1000;
    const res = await post(
      {
        node_id: 'hb-node-aaaa',
        status: 'online',
        gpus: [{ model: 'RTX\u0000 40\u202e90\u200b  Ｔｉ ', uuid: 'GPU-\u2066abc\u2069' }],
      },
      tokenA,
    );
    expect(res.status).toBe(202);
    expect((await gpus.get([idA])).get(idA)?.gpus).toEqual([{ model: 'RTX 4090 Ti', uuid: 'GPU-abc' }]);
    const empty = await post(
      { node_id: 'hb-node-aaaa', status: 'online', gpus: [{ model: '\u200b\u0000', uuid: 'x' }] },
      tokenA,
    );
    expect(empty.status).toBe(400);
  });

  it('unknown tokens never reach PostgreSQL once the token index is complete', async () => {
    await tokens.rebuild();
    expect(await tokens.isComplete()).toBe(true);
    const queries = await pgQueries();
    for (let i = 0; i < 5; i++) {
      const res = await post({
        heartbeats: Array.from({ length: 200 }, (_, j) => ({
          token: `ndk_random_${i}_${j}_${Math.random()}`,
          node_id: `n-${j}`,
          status: 'online',
        })),
      });
      expect([401, 429]).toContain(res.status);
    }
    expect(await pgQueries()).toBe(queries);
    // A token issued after the rebuild works at once.
    const me = await new IdentityService(tdb.db.prisma).ensure({
      platform: 'TELEGRAM',
      platformUserId: '78',
    });
    const c = await nodes.add(me, 'hb-node-cccc');
    if (!c.ok || c.via !== 'token') throw new Error();
    expect((await post({ node_id: 'hb-node-cccc', status: 'online' }, c.token)).status).toBe(202);
  });

  it('a rotated or removed node token stops working at once', async () => {
    const me = await new IdentityService(tdb.db.prisma).ensure({
      platform: 'TELEGRAM',
      platformUserId: '77',
    });
    expect((await post({ node_id: 'hb-node-bbbb', status: 'online' }, tokenB)).status).toBe(202);
    await nodes.remove(me, 'hb-node-bbbb');
    expect((await post({ node_id: 'hb-node-bbbb', status: 'online' }, tokenB)).status).toBe(401);
  });
});
