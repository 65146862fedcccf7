import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, spawnCli } from '../test/support/cli';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { closedPort, freePort } from '../test/support/ports';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { waitFor } from '../test/support/wait';

// Each case spawns the CLI (tsx start-up): generous limits for a loaded shared machine.
jest.setTimeout(180_000);

describe('nodedesk CLI', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
    await deleteKeys(prefix);
  });

  it('--help lists the subcommands', async () => {
    const r = await runCli(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/start/);
    expect(r.stdout).toMatch(/migrate/);
  });

  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    for (const flag of ['--version']) {
      const r = await runCli([flag], {});
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
  });

  it('--help says how configuration works: variables, .env, where each is documented', async () => {
    const r = await runCli(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Configuration:/m);
    expect(r.stdout).toMatch(/Environment variables/);
    expect(r.stdout).toMatch(/cp \.env\.example \.env/);
    expect(r.stdout).toMatch(/docs\/contracts\.md/);
    expect(r.stdout).toMatch(/DATABASE_URL/);
  });

  it('start without a .env suggests cp .env.example .env (and the demo)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedesk-noenv-'));
    try {
      const r = await runCli(['start'], {}, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^ {2}DATABASE_URL: is required/m);
      expect(r.stderr).toMatch(/^No \.env file here: cp \.env\.example \.env/m);
      expect(r.stderr).toMatch(/npm run demo/);
      // With a .env present the hint is not given (the problem is in its values).
      fs.writeFileSync(path.join(dir, '.env'), 'HTTP_PORT=abc\n');
      const r2 = await runCli(['start'], {}, { cwd: dir });
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/HTTP_PORT: must be a whole number/);
      expect(r2.stderr).not.toMatch(/No \.env file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a database that does not exist says createdb with its name, not "server down"', async () => {
    const url = new URL(tdb.url);
    url.pathname = '/nodedesk_missing_db';
    url.search = '';
    for (const cmd of ['start']) {
      const r = await runCli([cmd], { DATABASE_URL: url.toString(), REDIS_URL: TEST_REDIS_URL });
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/no database "nodedesk_missing_db"\. Create it: createdb nodedesk_missing_db/);
      expect(r.stderr).not.toMatch(/not reachable/);
    }
  });

  it('PostgreSQL unreachable at start: one line with the fix, exit 3', async () => {
    const port = await closedPort();
    const r = await runCli(['start'], { DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/nodedesk` });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PostgreSQL is not reachable at 127\.0\.0\.1:\d+ .*Start it/);
  });

  it('Redis unreachable at start: one line with the fix and exit 3, never a flood of retries', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await runCli(['start'], {
      DATABASE_URL: tdb.url,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      QUEUE_PREFIX: prefix,
      HTTP_PORT: '0',
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^nodedesk: Redis is not reachable at 127\.0\.0\.1:\d+ \(connect ECONNREFUSED.*docker compose up -d redis/,
      ),
    ]);
    expect(r.stdout).toBe('');
    console.log(`Redis unreachable: exit 3 after ${Date.now() - started} ms`);
  });

  it('a bad configuration prints one line per problem and no stack trace', async () => {
    const r = await runCli(['start'], { HTTP_PORT: 'abc', REDIS_URL: 'nope' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^nodedesk: invalid configuration$/m);
    expect(r.stderr).toMatch(/^ {2}DATABASE_URL: is required/m);
    expect(r.stderr).toMatch(/^ {2}HTTP_PORT: must be a whole number/m);
    expect(r.stderr).toMatch(/^ {2}REDIS_URL: /m);
    expect(r.stderr).not.toMatch(/\s+at\s.+:\d+:\d+/);
  });

  it('an unknown role is refused clearly', async () => {
    const r = await runCli(['start', '--roles', 'web,chef'], { DATABASE_URL: tdb.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown role\(s\): chef/);
  });

  it('start --roles web on an empty database migrates it, comes up healthy and stops cleanly on SIGTERM', async () => {
    const empty = await createTestDatabase({ migrate: false });
    const port = await freePort();
    const child = spawnCli(['start', '--roles', 'web'], {
      DATABASE_URL: empty.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'info',
    });
    try {
      const health = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`);
          return res.status === 200 ? res.json() : null;
        },
        { what: '/healthz 200', timeoutMs: 120_000 },
      );
      expect(health).toMatchObject({ status: 'ok' });
      child.kill('SIGTERM');
      const result = await child.done;
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/"msg":"applied \d+_init"/);
      expect(result.stdout).toMatch(/"msg":"shutting down"/);
    } finally {
      child.kill('SIGKILL');
      await empty.drop();
    }
  });
});
