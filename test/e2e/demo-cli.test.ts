// `nodedesk demo` as a newcomer runs it: from a clean data directory with DATABASE_URL
// unset (embedded PGlite) and REDIS_URL at a closed port (a private redis-server is
// started); with no redis-server on PATH (a clear message, non-zero exit); and two demos
// side by side on different ports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli, type CliResult } from '../support/cli';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env';
import { closedPort, freePort } from '../support/ports';
import { waitFor } from '../support/wait';

jest.setTimeout(420_000);

type Demo = ReturnType<typeof spawnCli>;

async function opened(demo: Demo, timeoutMs = 300_000): Promise<string> {
  return waitFor(
    () => {
      const out = demo.output();
      if (out.code !== null) throw new Error(`demo exited ${out.code}: ${out.stderr}`);
      return /^Open (http:\/\/127\.0\.0\.1:\d+\/)\n$/.exec(out.stdout)?.[1];
    },
    { timeoutMs, intervalMs: 200, what: 'the "Open http://127.0.0.1:PORT/" line' },
  );
}

async function stop(demo: Demo): Promise<CliResult> {
  demo.kill('SIGINT');
  return demo.done;
}

const post = (url: string, body: unknown = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('nodedesk demo (CLI)', () => {
  const dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedesk-demo-a-'));
  const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedesk-demo-b-'));
  afterAll(() => {
    fs.rmSync(dirA, { recursive: true, force: true });
    fs.rmSync(dirB, { recursive: true, force: true });
  });

  it('without redis-server on PATH: says how to get Redis and exits non-zero, quickly', async () => {
    const started = Date.now();
    const res = await spawnCli(['demo', '--port', '0', '--data-dir', dirB], {
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      PATH: path.join(dirB, 'no-binaries-here'),
    }).done;
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('redis-server is not on PATH');
    expect(res.stderr).toContain('apt-get install redis-server');
    expect(res.stderr).toContain('brew install redis');
    expect(res.stderr).toContain('docker compose up -d redis');
    // Nothing slow started before the check: the time is Node loading the code (generous
    // bound, the shared CI machine can be very loaded).
    expect(Date.now() - started).toBeLessThan(120_000);
  });

  it('from a clean state: embedded PostgreSQL, a private redis-server, one line, Ctrl-C stops it all', async () => {
    const port = await freePort();
    const started = Date.now();
    const demo = spawnCli(['demo', '--port', String(port), '--data-dir', dirA], {
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
    });
    const url = await opened(demo);
    // Reported, not asserted: the figure depends on the machine's load.
    process.stdout.write(`demo from a clean state printed its URL after ${Date.now() - started} ms\n`);
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Telegram · you and @nodedesk_demo_bot');
    expect(fs.existsSync(path.join(dirA, 'pglite', 'PG_VERSION'))).toBe(true);
    const redisPid = Number(fs.readFileSync(path.join(dirA, 'redis', 'redis.pid'), 'utf8'));
    expect(alive(redisPid)).toBe(true);
    // A second demo on the same data directory is refused with a clear message.
    const again = await spawnCli(['demo', '--port', '0', '--data-dir', dirA], { REDIS_URL: TEST_REDIS_URL })
      .done;
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/Another demo \(pid \d+\) is using/);

    const res = await stop(demo);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`Open ${url}\n`);
    expect(alive(redisPid)).toBe(false);
    expect(fs.existsSync(path.join(dirA, 'demo.pid'))).toBe(false);
  });

  it('two demos in parallel on different ports do not interfere', async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const a = spawnCli(['demo', '--port', String(pa), '--data-dir', dirA], { REDIS_URL: TEST_REDIS_URL });
    const b = spawnCli(['demo', '--port', String(pb), '--data-dir', dirB], {
      REDIS_URL: TEST_REDIS_URL,
      DATABASE_URL: TEST_DATABASE_URL,
    });
    try {
      const [ua, ub] = await Promise.all([opened(a), opened(b)]);
      expect((await post(`${ua}api/tg/send`, { text: '/start' })).status).toBe(204);
      expect((await post(`${ub}api/tg/send`, { text: '/help' })).status).toBe(204);
      await waitFor(async () => (await (await fetch(ua)).text()).includes('Welcome to nodedesk'), {
        timeoutMs: 120_000,
        what: 'the welcome in demo A',
      });
      await waitFor(async () => (await (await fetch(ub)).text()).includes('Commands'), {
        timeoutMs: 120_000,
        what: 'the command list in demo B',
      });
      expect(await (await fetch(ua)).text()).not.toContain('<b>Commands</b>');
      expect(await (await fetch(ub)).text()).not.toContain('Welcome to nodedesk');
    } finally {
      const [ra, rb] = await Promise.all([stop(a), stop(b)]);
      expect([ra.code, rb.code]).toEqual([0, 0]);
    }
  });
});
