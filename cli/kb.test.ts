import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../test/support/cli';
import { createTestDatabase, type TestDatabase } from '../test/support/db';

// Each run starts a CLI process (slow on a loaded machine): generous time per test.
jest.setTimeout(120_000);

describe('nodedesk kb import', () => {
  let tdb: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await tdb.drop();
  });

  const count = async () =>
    (await tdb.db.pool.query('SELECT count(*)::int AS n FROM kb_entry_versions')).rows[0].n;

  it('imports the starter knowledge base, and again without new versions', async () => {
    const first = await runCli(['kb', 'import', 'assistant/knowledge'], { DATABASE_URL: tdb.url });
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/Imported 34 entries .*: 34 new version\(s\), 0 unchanged/);
    const again = await runCli(['kb', 'import', 'assistant/knowledge'], { DATABASE_URL: tdb.url });
    expect(again.stdout).toMatch(/0 new version\(s\), 34 unchanged/);
    expect(await count()).toBe(34);
  });

  it('upserts by (id, lang): a changed file adds a version', async () => {
    fs.writeFileSync(
      path.join(dir, 'tge.md'),
      '---\nid: tge-status\nlang: en\ntitle: TGE status\nupdated: 2030-01-01\nsource: staff\n---\nNew date soon.\n',
    );
    const r = await runCli(['kb', 'import', dir], { DATABASE_URL: tdb.url });
    expect(r.stdout).toMatch(/1 new version/);
    const { rows } = await tdb.db.pool.query(
      `SELECT version FROM kb_entry_versions WHERE entry_id = 'tge-status' AND lang = 'en' ORDER BY version`,
    );
    expect(rows.map((x) => x.version)).toEqual([1, 2]);
  });

  it('one bad file: a clear line per problem, exit 2, nothing imported', async () => {
    fs.writeFileSync(
      path.join(dir, 'other.md'),
      '---\nid: other\nlang: en\ntitle: x\nupdated: 2030-01-02\nsource: staff\n---\nfine\n',
    );
    fs.writeFileSync(path.join(dir, 'bad.md'), '---\nid: Bad Id\nlang: fr\n---\n');
    const before = await count();
    const r = await runCli(['kb', 'import', dir], { DATABASE_URL: tdb.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.md: field "id" must be a slug/);
    expect(r.stderr).toMatch(/bad\.md: field "lang" must be en or zh/);
    expect(r.stderr).toMatch(/bad\.md: missing field "title"/);
    expect(r.stderr).not.toMatch(/\s+at\s.+:\d+:\d+/);
    expect(await count()).toBe(before);
  });

  it('a missing folder is a usage error', async () => {
    const r = await runCli(['kb', 'import', '/nonexistent/kb'], { DATABASE_URL: tdb.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a folder/);
  });
});
