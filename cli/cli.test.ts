import { runCli, spawnCli } from '../test/support/cli';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { freePort } from '../test/support/ports';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { waitFor } from '../test/support/wait';

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
        { what: '/healthz 200', timeoutMs: 20_000 },
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
