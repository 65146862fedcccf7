// Fails the whole run early, with the fix, when PostgreSQL or Redis is not running.
import IORedis from 'ioredis';
import pg from 'pg';
import { describePostgresError } from '../core/service-hints';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';

export default async function globalSetup(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    // A server without the `test` database needs createdb, not a start command.
    if ((err as { code?: string }).code === '3D000')
      throw new Error(describePostgresError(err, TEST_DATABASE_URL));
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${(err as Error).message}). Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new IORedis(TEST_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `Redis is not reachable at ${TEST_REDIS_URL} (${(err as Error).message}). Start it: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no`,
    );
  } finally {
    redis.disconnect();
  }
}
