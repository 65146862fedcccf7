import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPool } from './db';
import { DEFAULT_MIGRATIONS_DIR, migrate, MigrationError, readMigrations } from './migrate';
import { dropSchema, schemaUrl, uniqueName } from '../test/support/db';
import { runCli } from '../test/support/cli';

const schemas: string[] = [];
function freshSchema() {
  const schema = uniqueName('mig');
  schemas.push(schema);
  return { schema, url: schemaUrl(schema) };
}

afterAll(async () => {
  for (const s of schemas) await dropSchema(s);
});

async function withPool<T>(url: string, fn: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const pool = createPool(url, 2);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

describe('migration runner', () => {
  it('applies every migration to a fresh database, then nothing the second time', async () => {
    const { schema, url } = freshSchema();
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);
    await withPool(url, async (pool) => {
      const first = await migrate(pool, { schema });
      expect(first.applied).toEqual(files.map((f) => f.name));
      const second = await migrate(pool, { schema });
      expect(second.applied).toEqual([]);
      expect(second.alreadyApplied).toEqual(files.map((f) => f.name));

      // Recorded the way Prisma Migrate records them.
      const { rows } = await pool.query(
        'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at, started_at FROM "_prisma_migrations" ORDER BY migration_name',
      );
      expect(rows).toHaveLength(files.length);
      for (const [i, row] of rows.entries()) {
        const file = files[i]!;
        const raw = await fs.readFile(path.join(DEFAULT_MIGRATIONS_DIR, file.name, 'migration.sql'));
        expect(row.migration_name).toBe(file.name);
        expect(row.checksum).toBe(crypto.createHash('sha256').update(raw).digest('hex'));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.started_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
      // The schema is really there.
      const tables = await pool.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['users', 'identities', 'wallets', 'nodes']),
      );
    });
  });

  it('refuses to run when an applied migration file changed, and applies nothing', async () => {
    const { schema, url } = freshSchema();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nodedesk-mig-'));
    await fs.cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = await readMigrations(dir);
    await withPool(url, async (pool) => {
      await migrate(pool, { schema, dir });
      await fs.appendFile(path.join(dir, first!.name, 'migration.sql'), '\n-- edited later\n');
      await fs.mkdir(path.join(dir, '29990101000000_later'));
      await fs.writeFile(
        path.join(dir, '29990101000000_later', 'migration.sql'),
        'CREATE TABLE later_one (id int);',
      );
      await expect(migrate(pool, { schema, dir })).rejects.toThrow(MigrationError);
      await expect(migrate(pool, { schema, dir })).rejects.toThrow(/was changed after it was applied/);
      const later = await pool.query("SELECT to_regclass('later_one') AS t");
      expect(later.rows[0].t).toBeNull();
    });
  });

  it('rolls back a failing migration and records nothing for it', async () => {
    const { schema, url } = freshSchema();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nodedesk-mig-'));
    await fs.mkdir(path.join(dir, '001_ok'));
    await fs.writeFile(path.join(dir, '001_ok', 'migration.sql'), 'CREATE TABLE ok_one (id int);');
    await fs.mkdir(path.join(dir, '002_bad'));
    await fs.writeFile(
      path.join(dir, '002_bad', 'migration.sql'),
      'CREATE TABLE bad_one (id int); SELECT nope FROM nowhere;',
    );
    await withPool(url, async (pool) => {
      await expect(migrate(pool, { schema, dir })).rejects.toThrow(/002_bad failed and was rolled back/);
      const names = await pool.query('SELECT migration_name FROM "_prisma_migrations"');
      expect(names.rows.map((r) => r.migration_name)).toEqual(['001_ok']);
      expect((await pool.query("SELECT to_regclass('bad_one') AS t")).rows[0].t).toBeNull();
    });
  });

  it('two processes migrating at once: one applies, the other waits, both succeed', async () => {
    const { url } = freshSchema();
    const env = { DATABASE_URL: url, LOG_LEVEL: 'silent' };
    const [a, b] = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outputs = [a.stdout, b.stdout].sort();
    expect(outputs[0]).toMatch(/^Applied \d+ migration/);
    expect(outputs[1]).toMatch(/^Database is up to date/);
    await withPool(url, async (pool) => {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM "_prisma_migrations"');
      expect(rows[0].n).toBe((await readMigrations()).length);
    });
  });
});
