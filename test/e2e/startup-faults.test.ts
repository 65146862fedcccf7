// A newcomer's first hour, with the services missing or mute: `nodedesk start` says what
// it waits for and why within seconds, keeps trying, and a SIGTERM meanwhile stops it
// quickly and cleanly. Redis lost after start gives one line when lost and one when back.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnCli } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { closedPort, freePort } from '../support/ports';
import { deleteKeys, testPrefix } from '../support/redis';
import { waitFor } from '../support/wait';

// Child processes start through tsx: generous limits for a loaded shared machine.
jest.setTimeout(240_000);

const TOKEN = '123456789:AAE_startup_faults_secret_token_value';

function lines(out: string): Array<{ time: number; msg: string }> {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { time: number; msg: string });
}

function timeOf(out: string, re: RegExp): number | undefined {
  return lines(out).find((l) => re.test(l.msg))?.time;
}

describe('start-up faults', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
    await deleteKeys(prefix);
  });

  async function botsAgainst(apiRoot: string, what: RegExp) {
    const child = spawnCli(['start', '--roles', 'bots', '--no-migrate'], {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_STARTUP_TIMEOUT_SECONDS: '600',
    });
    try {
      await waitFor(() => what.test(child.output().stdout), {
        what: `${what}`,
        timeoutMs: 180_000,
        intervalMs: 100,
      });
      const out = child.output().stdout;
      const waited = timeOf(out, what)! - timeOf(out, /connecting to the Telegram Bot API/)!;
      const stopAt = Date.now();
      child.kill('SIGTERM');
      const result = await child.done;
      const stopMs = Date.now() - stopAt;
      return { waited, stopMs, result };
    } finally {
      child.kill('SIGKILL');
    }
  }

  it('Telegram API refusing connections: said within seconds, retried, SIGTERM stops fast', async () => {
    const port = await closedPort();
    const { waited, stopMs, result } = await botsAgainst(
      `http://127.0.0.1:${port}`,
      /cannot be reached; retrying/,
    );
    console.log(`closed port: said after ${waited} ms; shutdown took ${stopMs} ms`);
    expect(waited).toBeLessThan(5_000);
    // Retried, not given up: a second attempt was logged before the signal, or at least no give-up.
    expect(result.stdout).not.toMatch(/did not answer getMe/);
    expect(result.code).toBe(0);
    expect(stopMs).toBeLessThan(15_000);
    expect(result.stdout).toMatch(/"msg":"shutting down"/);
    expect(result.stdout + result.stderr).not.toContain(TOKEN.split(':')[1]);
  });

  it('Telegram API silent (accepts, never answers): said within seconds, SIGTERM stops fast', async () => {
    const sockets = new Set<net.Socket>();
    const blackhole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as net.AddressInfo).port;
    try {
      const { waited, stopMs, result } = await botsAgainst(
        `http://127.0.0.1:${port}`,
        /does not answer yet; still waiting/,
      );
      console.log(`blackhole: said after ${waited} ms; shutdown took ${stopMs} ms`);
      expect(waited).toBeLessThan(8_000);
      expect(result.code).toBe(0);
      expect(stopMs).toBeLessThan(15_000);
      expect(result.stdout + result.stderr).not.toContain(TOKEN.split(':')[1]);
    } finally {
      for (const s of sockets) s.destroy();
      blackhole.close();
    }
  });

  it('Redis lost after start: one line when lost, one when back, no flood in between', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedesk-redis-'));
    const redisPort = await freePort();
    const redisArgs = [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    let redis: ChildProcess = spawn('redis-server', [...redisArgs, '--dir', dir], { stdio: 'ignore' });
    const httpPort = await freePort();
    const child = spawnCli(['start', '--roles', 'web,workers', '--no-migrate'], {
      DATABASE_URL: tdb.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      QUEUE_PREFIX: `${prefix}r`,
      HTTP_PORT: String(httpPort),
    });
    try {
      await waitFor(() => /"msg":"nodedesk started"/.test(child.output().stdout), {
        what: 'nodedesk started',
        timeoutMs: 180_000,
        intervalMs: 100,
      });
      const before = lines(child.output().stdout).length;
      redis.kill('SIGKILL');
      await waitFor(() => /Redis connection lost/.test(child.output().stdout), {
        what: 'Redis connection lost',
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      // Ten seconds of outage: workers, queues and the web role keep failing underneath.
      const lostAt = Date.now();
      await waitFor(() => Date.now() - lostAt > 10_000, { what: '10 s of outage', timeoutMs: 20_000 });
      const during = lines(child.output().stdout).slice(before);
      console.log(
        `lines logged in ~10 s of Redis outage: ${during.length}`,
        during.map((l) => l.msg),
      );
      expect(during.filter((l) => /Redis connection lost/.test(l.msg))).toHaveLength(1);
      expect(during.length).toBeLessThanOrEqual(6);
      redis = spawn('redis-server', [...redisArgs, '--dir', dir], { stdio: 'ignore' });
      await waitFor(() => /"msg":"Redis connection back"/.test(child.output().stdout), {
        what: 'Redis connection back',
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      child.kill('SIGTERM');
      expect((await child.done).code).toBe(0);
    } finally {
      child.kill('SIGKILL');
      redis.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
