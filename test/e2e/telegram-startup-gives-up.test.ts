// Issue 9, finding 5 (second part): an unreachable Bot API root made `start` hang for 200 s
// with no log line. Start-up says what it waits for, and once TELEGRAM_STARTUP_TIMEOUT_SECONDS
// has passed it gives up by itself with a clear error (the token in no output).
import net from 'node:net';
import { spawnCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { closedPort } from '../support/ports';
import { deleteKeys, testPrefix } from '../support/redis';

// Child processes start through tsx: generous limits for a loaded shared machine.
jest.setTimeout(240_000);

const TOKEN = '123456789:AAE_startup_gives_up_secret_token_value';
const TIMEOUT_S = 4;

describe('Telegram start-up deadline', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
    await deleteKeys(prefix);
  });

  async function startAgainst(apiRoot: string) {
    const child = spawnCli(['start', '--roles', 'bots', '--no-migrate'], {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_STARTUP_TIMEOUT_SECONDS: String(TIMEOUT_S),
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    try {
      const result = await child.done;
      const exitAt = Date.now();
      const lines = result.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { time: number; msg: string });
      const connecting = lines.find((l) => /connecting to the Telegram Bot API/.test(l.msg))?.time;
      return { result, connecting, gaveUpAfterMs: connecting ? exitAt - connecting : undefined };
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  }

  function expectGaveUp(r: Awaited<ReturnType<typeof startAgainst>>) {
    const all = r.result.stdout + r.result.stderr;
    expect(r.connecting).toBeDefined();
    expect(all).toMatch(new RegExp(`did not answer getMe within ${TIMEOUT_S} s`));
    expect(r.result.signal).toBeNull();
    expect(r.result.code).not.toBe(0);
    // Gave up at the deadline, not long after it (the review saw 200 s with no line at all).
    expect(r.gaveUpAfterMs).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 500);
    expect(r.gaveUpAfterMs).toBeLessThan(TIMEOUT_S * 1000 + 20_000);
    expect(all).not.toContain(TOKEN.split(':')[1]);
  }

  it('an unreachable API root (connections refused): start-up gives up with a clear error at the deadline', async () => {
    const port = await closedPort();
    const r = await startAgainst(`http://127.0.0.1:${port}`);
    console.log(
      `closed port: exit ${r.result.code}; exited ${r.gaveUpAfterMs} ms after "connecting" (deadline ${TIMEOUT_S} s): ${r.result.stderr.trim()}`,
    );
    expectGaveUp(r);
    expect(r.result.stdout).toMatch(/cannot be reached; retrying/);
  });

  it('a silent API root (accepts, never answers): start-up gives up with a clear error at the deadline', async () => {
    const sockets = new Set<net.Socket>();
    const blackhole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as net.AddressInfo).port;
    try {
      const r = await startAgainst(`http://127.0.0.1:${port}`);
      console.log(
        `blackhole: exit ${r.result.code}; exited ${r.gaveUpAfterMs} ms after "connecting" (deadline ${TIMEOUT_S} s): ${r.result.stderr.trim()}`,
      );
      expectGaveUp(r);
      expect(r.result.stdout).toMatch(/does not answer yet; still waiting/);
    } finally {
      for (const s of sockets) s.destroy();
      blackhole.close();
    }
  });
});
