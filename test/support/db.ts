// Every test file gets its own PostgreSQL schema, migrated by the real runner, so
// files run in parallel on one database without seeing each other's rows.
import crypto from 'node:crypto';
import { createDb, createPool, type Db } from '../../core/db';
import { migrate } from '../../core/migrate';
import { TEST_DATABASE_URL } from './env';

export interface TestDatabase {
  url: string;
  schema: string;
  db: Db;
  drop(): Promise<void>;
}

export function schemaUrl(schema: string, base = TEST_DATABASE_URL): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const pool = createPool(TEST_DATABASE_URL, 1);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}

export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const schema = uniqueName('t');
  const url = schemaUrl(schema);
  const pool = createPool(url, 1);
  try {
    if (opts.migrate === false) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    else await migrate(pool, { schema });
  } finally {
    await pool.end();
  }
  const db = createDb(url, { poolSize: 5 });
  return {
    url,
    schema,
    db,
    async drop() {
      await db.close();
      await dropSchema(schema);
    },
  };
}
