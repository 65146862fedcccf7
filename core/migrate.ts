// Applies prisma/migrations/*/migration.sql in name order and records each one in
// `_prisma_migrations` exactly as Prisma Migrate does, so `prisma migrate deploy` on a
// connected machine sees the same history. We need our own runner because
// `migrate deploy` through a driver adapter is broken upstream (prisma/orm#27403).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { inTransaction } from './db';

/** Prisma Migrate's own advisory lock key, so our runner and Prisma's exclude each other. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '..', 'prisma', 'migrations');

export async function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const file = path.join(dir, name, 'migration.sql');
    const buf = await fs.readFile(file).catch(() => null);
    if (!buf) continue;
    // Prisma checksums the file bytes with sha256, hex encoded.
    files.push({
      name,
      checksum: crypto.createHash('sha256').update(buf).digest('hex'),
      sql: buf.toString('utf8'),
    });
  }
  return files;
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations. Safe to run from several processes at once: the advisory
 * lock makes the others wait, and they then find nothing left to do.
 */
export async function migrate(
  pool: pg.Pool,
  opts: { dir?: string; schema?: string; log?: (msg: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(opts.dir);
  const log = opts.log ?? (() => {});
  const client = await pool.connect();
  try {
    if (opts.schema && opts.schema !== 'public') {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema.replace(/"/g, '""')}"`);
    }
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<AppliedRow>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
      );
      const done = new Map<string, AppliedRow>();
      for (const row of rows) {
        if (row.rolled_back_at) continue;
        if (!row.finished_at) {
          throw new MigrationError(
            `Migration ${row.migration_name} started but did not finish. Fix the database by hand, then mark it rolled back (prisma migrate resolve --rolled-back ${row.migration_name}).`,
          );
        }
        done.set(row.migration_name, row);
      }
      const byName = new Map(migrations.map((m) => [m.name, m]));
      for (const [name, row] of done) {
        const file = byName.get(name);
        if (file && file.checksum !== row.checksum) {
          throw new MigrationError(
            `Migration ${name} was changed after it was applied (checksum ${row.checksum} in the database, ${file.checksum} on disk). Restore the original file and put the change in a new migration.`,
          );
        }
      }
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const m of migrations) {
        if (done.has(m.name)) {
          result.alreadyApplied.push(m.name);
          continue;
        }
        const id = crypto.randomUUID();
        try {
          const skipped = await inTransaction(client, async (tx) => {
            // Checked again inside the transaction: where the advisory lock cannot exclude
            // (PGlite: every connection shares one session, so the lock is re-entrant), the
            // open transaction does, and a runner that waited finds the work done.
            const { rowCount } = await tx.query(
              'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL',
              [m.name],
            );
            if (rowCount) return true;
            await tx.query(
              'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
              [id, m.checksum, m.name],
            );
            await tx.query(m.sql);
            await tx.query(
              'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
              [id],
            );
            return false;
          });
          if (skipped) {
            result.alreadyApplied.push(m.name);
            continue;
          }
        } catch (err) {
          throw new MigrationError(
            `Migration ${m.name} failed and was rolled back: ${(err as Error).message}`,
          );
        }
        log(`applied ${m.name}`);
        result.applied.push(m.name);
      }
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    }
  } finally {
    client.release();
  }
}
