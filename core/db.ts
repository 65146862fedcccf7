// Prisma client on the pg driver adapter (no Rust query engine: see docs/architecture.md "Database").
// A `?schema=` parameter in DATABASE_URL selects a PostgreSQL schema, as Prisma's own
// convention does; tests give every file its own schema this way.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@prisma/client';
import pg from 'pg';

export type { PrismaClient } from '@prisma/client';
export * as Prisma from '@prisma/client';

export interface ConnectionTarget {
  /** URL without the Prisma-only `schema` parameter, as node-postgres expects it. */
  connectionString: string;
  schema: string;
}

export function parseDatabaseUrl(databaseUrl: string): ConnectionTarget {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

export interface Db {
  prisma: PrismaClient;
  /** Plain pool on the same schema, for raw SQL (migrations, health checks, bulk upserts). */
  pool: pg.Pool;
  schema: string;
  close(): Promise<void>;
}

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  const { connectionString, schema } = parseDatabaseUrl(databaseUrl);
  return new pg.Pool({
    connectionString,
    max,
    // search_path per connection, so raw SQL sees the same tables as Prisma.
    options: `-c search_path="${schema.replace(/"/g, '""')}"`,
    // How long a query waits for a free connection (or a new one). A burst (200 users
    // pressing /support at once, 200 updates handled concurrently) queues here: at 5 s a
    // loaded machine turned that queue into "something went wrong" answers. A database
    // that is really gone still fails (connection refused at once, or after this).
    connectionTimeoutMillis: 30_000,
  });
}

export function createDb(databaseUrl: string, opts: { poolSize?: number } = {}): Db {
  const { schema } = parseDatabaseUrl(databaseUrl);
  const pool = createPool(databaseUrl, opts.poolSize ?? 10);
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool, { schema });
  const prisma = new PrismaClient({ adapter });
  let closed = false;
  return {
    prisma,
    pool,
    schema,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

/**
 * Runs `fn` in one transaction: COMMIT on success, ROLLBACK on any error. Given a pool it
 * borrows a connection for the transaction; given a connection (one holding an advisory
 * lock, say) it uses that one and leaves it open.
 */
export async function inTransaction<T>(
  db: pg.Pool | pg.PoolClient,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const borrowed = db instanceof pg.Pool;
  const client = borrowed ? await db.connect() : db;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    if (borrowed) client.release();
  }
}

/** Raw SQL inside a transaction, whichever client opened it (a pg connection or a Prisma transaction). */
export interface SqlRunner {
  rows<T>(text: string, params?: unknown[]): Promise<T[]>;
  exec(text: string, params?: unknown[]): Promise<number>;
}

export function pgSql(client: pg.PoolClient): SqlRunner {
  return {
    rows: async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[],
    exec: async (text, params = []) => (await client.query(text, params)).rowCount ?? 0,
  };
}

type RawClient = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

export function prismaSql(tx: RawClient): SqlRunner {
  return {
    rows: <T>(text: string, params: unknown[] = []) => tx.$queryRawUnsafe<T[]>(text, ...params),
    exec: (text, params = []) => tx.$executeRawUnsafe(text, ...params),
  };
}
