// One clear sentence, with the fix, for each way PostgreSQL or Redis can be missing at
// start. Shared by `nodedesk start/migrate` and the tests' global setup, so a newcomer
// who has a server but not the database is told `createdb`, not "start the server".
import IORedis from 'ioredis';
import pg from 'pg';
import { redisWhere } from './redis-watch';
import { scrub } from './scrub';

/** A required service that cannot be used; the message is the whole line to print. */
export class ServiceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnavailableError';
  }
}

function where(url: string): { host: string; database: string; user: string } {
  try {
    const u = new URL(url);
    return {
      host: `${u.hostname || 'localhost'}:${u.port || '5432'}`,
      database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
      user: decodeURIComponent(u.username) || 'the default user',
    };
  } catch {
    return { host: '?', database: '?', user: '?' };
  }
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
]);

/** Explains a PostgreSQL connection failure; `undefined` when it is not one. */
export function describePostgresError(err: unknown, url: string): string | undefined {
  const e = err as { code?: string; message?: string };
  const w = where(url);
  const why = scrub(e?.message ?? String(err));
  if (e?.code === '3D000')
    return `PostgreSQL at ${w.host} has no database "${w.database}". Create it: createdb ${w.database} (or sudo -u postgres createdb ${w.database}; docker compose up -d creates "nodedesk"). The demo needs none: npm run demo.`;
  if (e?.code === '28P01' || e?.code === '28000')
    return `PostgreSQL at ${w.host} refused the login of ${w.user} (${why}). Fix the user or password in DATABASE_URL.`;
  if ((e?.code && UNREACHABLE.has(e.code)) || /timeout|terminated unexpectedly/i.test(why))
    return `PostgreSQL is not reachable at ${w.host} (${why}). Start it (docker compose up -d postgres, or sudo systemctl start postgresql) or fix DATABASE_URL.`;
  return undefined;
}

/** Connects once and runs SELECT 1; throws ServiceUnavailableError with the fix. */
export async function checkPostgres(connectionString: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new ServiceUnavailableError(
      describePostgresError(err, connectionString) ??
        `PostgreSQL at ${where(connectionString).host} failed: ${scrub((err as Error).message)}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Explains a Redis connection failure (always: any failure to PING is one). */
export function describeRedisError(err: unknown, url: string): string {
  const why = scrub((err as Error)?.message ?? String(err));
  if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(why))
    return `Redis at ${redisWhere(url)} refused the login (${why}). Fix the password in REDIS_URL.`;
  return `Redis is not reachable at ${redisWhere(url)} (${why}). Start it (docker compose up -d redis, or sudo apt-get install redis-server, or brew install redis) or fix REDIS_URL.`;
}

/**
 * PINGs Redis, retrying briefly (a Redis started by the same `docker compose up` may be a
 * moment late); throws ServiceUnavailableError with the fix after `timeoutMs`.
 */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  const redis = new IORedis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: Math.min(timeoutMs, 3_000),
    retryStrategy: () => null,
  });
  // The socket's error (ECONNREFUSED, ...) says more than the "Connection is closed." that follows.
  let cause: unknown;
  redis.on('error', (err) => (cause = err));
  try {
    for (;;) {
      try {
        if (redis.status !== 'ready') await redis.connect();
        await redis.ping();
        return;
      } catch (err) {
        last = (cause as { code?: string } | undefined)?.code ? cause : err;
        if (/NOAUTH|WRONGPASS/i.test((err as Error).message) || Date.now() + 500 > deadline) break;
        redis.disconnect();
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    throw new ServiceUnavailableError(describeRedisError(last, url));
  } finally {
    redis.disconnect();
  }
}
