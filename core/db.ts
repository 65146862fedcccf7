// Prisma client on the pg driver adapter (no Rust query engine: see DESIGN.md).
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
    connectionTimeoutMillis: 5_000,
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
