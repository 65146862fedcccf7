// Issue 9, finding 2: Redis restarted empty must not stop alerting silently. A private
// redis-server (no persistence) is stopped and started again empty while agents beat:
// /healthz reports it, alerting resumes by itself, a node that died during the outage is
// alerted, so is one stopped after the restart, and a node that kept beating never is.
import { spawn, type ChildProcess } from 'node:child_process';
import IORedis from 'ioredis';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { codeEntity } from '../support/chat';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';

const GRACE = 3;
const WAIT = 1;

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = new IORedis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  await waitFor(
    async () =>
      (await probe
        .connect()
        .then(() => probe.ping())
        .catch(() => null)) === 'PONG' || null,
    {
      timeoutMs: 10_000,
      what: 'redis-server up',
    },
  );
  probe.disconnect();
  return child;
}

function stopRedis(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A node's agent: one beat every 500 ms until stopped (its job, not a test sleep). */
function agent(url: string, token: string, nodeId: string) {
  let on = true;
  const loop = (async () => {
    while (on) {
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ node_id: nodeId, status: 'online' }),
        signal: AbortSignal.timeout(5_000),
      }).catch(() => {});
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return { stop: async () => ((on = false), await loop) };
}

describe('Redis restarted empty (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let redis: ChildProcess;
  let redisPort: number;
  let base: string;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    tg = await startTelegramSandbox({ limits: false });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await startTestApp({
      ...tg.env(),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      HTTP_PORT: String(port),
      OFFLINE_GRACE_SECONDS: String(GRACE),
      ALERT_GROUP_WAIT_SECONDS: String(WAIT),
      SWEEP_INTERVAL_MS: '250',
    });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
    if (redis.exitCode === null) await stopRedis(redis);
  });

  const offlineAlerts = (chat: number) =>
    tg.sent().filter((m) => m.chat.id === chat && /went offline/.test(m.text ?? ''));
  const health = async () => {
    const res = await fetch(`${base}/healthz`).catch(() => null);
    return res ? ((await res.json()) as { status: string; degraded?: string[] }) : null;
  };

  it('alerting resumes by itself, with no false alert, and /healthz says degraded meanwhile', async () => {
    const agents = new Map<number, { stop: () => Promise<void> }>();
    for (const [chat, node] of [
      [921, 'steady-rig-01'],
      [922, 'after-rig-01'],
      [923, 'during-rig-01'],
    ] as const) {
      const u = tg.user(chat, { languageCode: 'en' });
      await u.send(`/addnode ${node}`);
      agents.set(chat, agent(`${base}/v1/heartbeats`, codeEntity(await u.nextMessage()), node));
    }
    await waitFor(
      async () => (await app.tdb.db.prisma.node.count({ where: { state: 'ONLINE' } })) === 3 || null,
      {
        timeoutMs: 20_000,
        what: 'three nodes online',
      },
    );
    await waitFor(async () => (await health())?.status === 'ok' || null, {
      timeoutMs: 20_000,
      what: 'healthy',
    });

    // Redis goes away; one node dies while it is gone.
    await stopRedis(redis);
    await agents.get(923)!.stop();
    await waitFor(async () => (await health())?.status === 'fail' || null, { what: '/healthz fails' });

    redis = await startRedis(redisPort);
    const restartedAt = Date.now();
    const seen = new Set<string>();
    const degraded = waitFor(
      async () => {
        const h = await health();
        if (h) seen.add(h.status);
        return h?.status === 'degraded' ? h : null;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: '/healthz degraded after the restart' },
    );
    expect((await degraded).degraded!.join(' ')).toMatch(/Redis lost its data|rebuilt/);

    // The node that died during the outage is alerted, within grace + group wait + a few s.
    const during = await waitFor(() => offlineAlerts(923)[0], {
      timeoutMs: (GRACE + WAIT + 15) * 1000,
      what: 'alert for the node that died during the outage',
    });
    const resumedS = (Date.now() - restartedAt) / 1000;
    expect(during.text).toContain('during-rig-01');

    // A node stopped after the restart is alerted within grace + group wait + a few s.
    await agents.get(922)!.stop();
    const stoppedAt = Date.now();
    await waitFor(() => offlineAlerts(922)[0], {
      timeoutMs: (GRACE + WAIT + 10) * 1000,
      what: 'alert for the node stopped after the restart',
    });
    const afterS = (Date.now() - stoppedAt) / 1000;
    await waitFor(async () => (await health())?.status === 'ok' || null, {
      timeoutMs: 30_000,
      what: 'healthy again',
    });

    // The node that never stopped was never alerted.
    expect(offlineAlerts(921)).toHaveLength(0);
    await agents.get(921)!.stop();
    process.stdout.write(
      `redis loss: first alert ${resumedS.toFixed(1)} s after the restart (grace ${GRACE} s, wait ${WAIT} s); ` +
        `node stopped after the restart alerted in ${afterS.toFixed(1)} s; health states seen ${[...seen].join(', ')}\n`,
    );
  }, 180_000);

  it('Redis lost its data while the app was down: after the restart a node that died meanwhile is alerted, a steady one never', async () => {
    const agents = new Map<number, { stop: () => Promise<void> }>();
    for (const [chat, node] of [
      [931, 'steady-rig-02'],
      [933, 'down-while-off-02'],
    ] as const) {
      const u = tg.user(chat, { languageCode: 'en' });
      await u.send(`/addnode ${node}`);
      agents.set(chat, agent(`${base}/v1/heartbeats`, codeEntity(await u.nextMessage()), node));
    }
    const online = (ids: string[]) =>
      app.tdb.db.prisma.node.count({ where: { externalId: { in: ids }, state: 'ONLINE' } });
    await waitFor(async () => (await online(['steady-rig-02', 'down-while-off-02'])) === 2 || null, {
      timeoutMs: 20_000,
      what: 'both nodes online',
    });

    // The app stops; Redis restarts empty meanwhile; one node dies while nothing watches.
    await app.stop();
    await stopRedis(redis);
    await agents.get(933)!.stop();
    redis = await startRedis(redisPort);
    const startedAt = Date.now();
    await app.start();

    // Liveness is rebuilt from PostgreSQL (it still says ONLINE): the dead node is alerted
    // after grace + group wait, the one that kept beating is not.
    const alert = await waitFor(() => offlineAlerts(933)[0], {
      timeoutMs: (GRACE + WAIT + 20) * 1000,
      what: 'alert for the node that died while the app was down',
    });
    expect(alert.text).toContain('down-while-off-02');
    const alertedS = (Date.now() - startedAt) / 1000;
    await waitFor(async () => (await health())?.status === 'ok' || null, {
      timeoutMs: 30_000,
      what: 'healthy after the restart',
    });
    expect(offlineAlerts(931)).toHaveLength(0);
    expect(await online(['steady-rig-02'])).toBe(1);
    await agents.get(931)!.stop();
    process.stdout.write(
      `redis loss across an app restart: dead node alerted ${alertedS.toFixed(1)} s after start\n`,
    );
  }, 180_000);
});
