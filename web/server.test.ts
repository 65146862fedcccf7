import { buildMetricsServer, buildWebServer } from './server';
import { createRedis, QueueHub } from '../core/queue';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { closedPort } from '../test/support/ports';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { progressKey, sentinelKey } from '../notifier/liveness/recovery';

describe('web role: health and metrics', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  let hub: QueueHub;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
  });
  afterAll(async () => {
    await hub.close();
    await tdb.drop();
    await deleteKeys(prefix);
  });

  it('GET /healthz is 200 when PostgreSQL and Redis answer', async () => {
    const { app } = await buildWebServer({ pool: tdb.db.pool, redis: hub.redis, hub });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      checks: { postgres: { ok: true }, redis: { ok: true } },
    });
    await app.close();
  });

  it('GET /healthz is 503 naming Redis when Redis is on a closed port', async () => {
    const port = await closedPort();
    const deadRedis = createRedis(`redis://127.0.0.1:${port}`);
    const { app } = await buildWebServer({ pool: tdb.db.pool, redis: deadRedis });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('fail');
    expect(body.failing).toEqual(['redis']);
    expect(body.checks.postgres.ok).toBe(true);
    // No raw dependency error text on the public port.
    expect(body.checks.redis.error).toBeUndefined();
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    await app.close();
    deadRedis.disconnect();
  });

  it.each([
    ['consumer', 'liveness consumer'],
    ['sweep', 'liveness sweep'],
  ] as const)(
    'GET /healthz is degraded, naming the stalled part, when the %s stops making progress while every connection is fine',
    async (part, named) => {
      const p = `${prefix}:stall-${part}`;
      const pipeline = { prefix: p, rules: { consumerStaleMs: 15_000, sweepStaleMs: 15_000 } };
      const { app } = await buildWebServer({ pool: tdb.db.pool, redis: hub.redis, pipeline });
      const now = Date.now();
      await hub.redis
        .multi()
        .set(sentinelKey(p), '1')
        .set(progressKey(p, 'consumer'), String(now))
        .set(progressKey(p, 'sweep'), String(now))
        .exec();
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json().status).toBe('ok');
      // Its last progress stamp is a minute old; PostgreSQL and Redis still answer.
      await hub.redis.set(progressKey(p, part), String(now - 60_000));
      const res = await app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body.status).toBe('degraded');
      expect(body.failing).toBeUndefined();
      expect(body.degraded).toEqual([
        expect.stringMatching(new RegExp(`^${named} has made no progress for 6\\d s$`)),
      ]);
      await app.close();
    },
  );

  it('/metrics and the detailed /healthz need the metrics token when one is set', async () => {
    const port = await closedPort();
    const deadRedis = createRedis(`redis://:hunter2secret@127.0.0.1:${port}`);
    const metricsToken = 'metrics-token-0123456789';
    const { app } = await buildWebServer({ pool: tdb.db.pool, redis: deadRedis, metricsToken });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${metricsToken}` };
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: auth })).statusCode).toBe(200);
    const detailed = (await app.inject({ method: 'GET', url: '/healthz', headers: auth })).json();
    expect(detailed.checks.redis.error).toEqual(expect.any(String));
    expect(JSON.stringify(detailed)).not.toContain('hunter2secret');
    await app.close();
    deadRedis.disconnect();
  });

  it('METRICS_PORT: /metrics moves to its own server, the public port no longer serves it', async () => {
    const { app, metrics } = await buildWebServer({
      pool: tdb.db.pool,
      redis: hub.redis,
      separateMetrics: true,
    });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const side = buildMetricsServer({ pool: tdb.db.pool, redis: hub.redis, metrics });
    expect((await side.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await side.inject({ method: 'GET', url: '/healthz' })).json().status).toBe('ok');
    await side.close();
    await app.close();
  });

  it('trustProxy is off by default: X-Forwarded-For does not change the client address', async () => {
    const seen: string[] = [];
    const plugin = async (a: import('fastify').FastifyInstance) => {
      a.get('/ip', async (req) => (seen.push(req.ip), { ip: req.ip }));
    };
    const { app } = await buildWebServer({ pool: tdb.db.pool, redis: hub.redis, plugins: [plugin] });
    await app.inject({ method: 'GET', url: '/ip', headers: { 'x-forwarded-for': '203.0.113.9' } });
    const trusting = await buildWebServer({
      pool: tdb.db.pool,
      redis: hub.redis,
      plugins: [plugin],
      trustProxy: 1,
    });
    await trusting.app.inject({ method: 'GET', url: '/ip', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(seen[0]).not.toBe('203.0.113.9');
    expect(seen[1]).toBe('203.0.113.9');
    await app.close();
    await trusting.app.close();
  });

  it('GET /metrics serves Prometheus text with process metrics and queue depths', async () => {
    await hub.add('maintenance', { task: 'count-me' }, { jobId: 'metrics-1' });
    const { app } = await buildWebServer({ pool: tdb.db.pool, redis: hub.redis, hub });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/nodedesk_process_cpu_user_seconds_total/);
    expect(res.body).toMatch(/nodedesk_queue_jobs\{queue="maintenance",state="waiting"\} 1/);
    await app.close();
  });
});
