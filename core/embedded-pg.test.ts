// The embedded PostgreSQL as the product uses it: a node-postgres pool of many connections
// and Prisma over one PGlite backend. What must hold: no connection's statements
// interleave with another's transaction or extended-protocol sequence, our migration
// runner (advisory lock included) runs twice at once, and a client that vanishes
// mid-transaction leaves nothing behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type Db } from './db';
import { migrate } from './migrate';
import { spawnEmbeddedPostgres } from '../test/support/embedded-pg';

jest.setTimeout(240_000);

describe('embedded PostgreSQL (PGlite over the wire protocol)', () => {
  let epg: Awaited<ReturnType<typeof spawnEmbeddedPostgres>>;
  let db: Db;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedesk-pglite-'));

  beforeAll(async () => {
    epg = await spawnEmbeddedPostgres(path.join(dir, 'pglite'));
    db = createDb(epg.url, { poolSize: 10 });
  });
  afterAll(async () => {
    await db?.close();
    await epg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs our migrations, twice at once (pg_advisory_lock works), and Prisma on top', async () => {
    const [a, b] = await Promise.all([migrate(db.pool), migrate(db.pool)]);
    // One runner applies everything, the other finds it done.
    expect(Math.min(a.applied.length, b.applied.length)).toBe(0);
    expect(a.applied.length + b.applied.length).toBeGreaterThan(0);
    expect([...a.applied, ...a.alreadyApplied].sort()).toEqual([...b.applied, ...b.alreadyApplied].sort());
    const user = await db.prisma.user.create({ data: { locale: 'en' } });
    expect((await db.pool.query('SELECT locale FROM users WHERE id = $1', [user.id])).rows).toEqual([
      { locale: 'en' },
    ]);
  });

  it('keeps concurrent transactions and parameterized queries apart', async () => {
    await db.pool.query('CREATE TABLE IF NOT EXISTS counters (id int PRIMARY KEY, n int NOT NULL)');
    await db.pool.query('INSERT INTO counters VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0');
    // 40 read-modify-write transactions from 10 connections: any interleaving loses updates.
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const c = await db.pool.connect();
        try {
          await c.query('BEGIN');
          const { rows } = await c.query<{ n: number }>('SELECT n FROM counters WHERE id = $1', [1]);
          await c.query('UPDATE counters SET n = $1 WHERE id = $2', [rows[0]!.n + 1, 1]);
          await c.query(i % 5 === 0 ? 'ROLLBACK' : 'COMMIT');
        } finally {
          c.release();
        }
      }),
    );
    expect((await db.pool.query('SELECT n FROM counters WHERE id = 1')).rows[0].n).toBe(32);
    // Unnamed prepared statements from many connections at once each get their own answer.
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => db.pool.query<{ x: number }>('SELECT $1::int * 2 AS x', [i])),
    );
    expect(answers.map((r) => r.rows[0]!.x)).toEqual(Array.from({ length: 60 }, (_, i) => i * 2));
    const [count] = await Promise.all([
      db.prisma.$transaction(async (tx) => tx.user.count()),
      db.prisma.user.findMany(),
    ]);
    expect(count).toBeGreaterThanOrEqual(1);
  });

  it('rolls back the transaction of a client that disconnects without COMMIT', async () => {
    const client = new pg.Client({ connectionString: epg.url });
    client.on('error', () => {});
    await client.connect();
    await client.query('BEGIN');
    await client.query('UPDATE counters SET n = 999 WHERE id = 1');
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    // The others are not stuck behind it, and its change is gone.
    expect((await db.pool.query('SELECT n FROM counters WHERE id = 1')).rows[0].n).toBe(32);
    await client.end().catch(() => {});
  });

  it('reports SQL errors to the caller and carries on', async () => {
    await expect(db.pool.query('SELECT * FROM no_such_table')).rejects.toThrow(/does not exist/);
    const c = await db.pool.connect();
    try {
      await c.query('BEGIN');
      await expect(c.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
      await c.query('ROLLBACK');
    } finally {
      c.release();
    }
    expect((await db.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
