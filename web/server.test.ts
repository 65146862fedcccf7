import { buildWebServer } from './server';
import { createRedis, QueueHub } from '../core/queue';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { closedPort } from '../test/support/ports';
import { deleteKeys, testPrefix } from '../test/support/redis';

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
    expect(body.checks.redis.error).toEqual(expect.any(String));
    await app.close();
    deadRedis.disconnect();
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
