// Issue 5 reliability: failing platform sends, a killed workers process, a network API
// outage. Real Redis, PostgreSQL, BullMQ, grammY; the platforms are the emulators.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startNetworkSandbox } from '../../sandbox/network';
import { LivenessStore } from '../../notifier/liveness/store';
import { startTestApp, type TestApp } from '../support/app';
import { spawnCli } from '../support/cli';
import { createTestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/env';
import { seedOwners, type SeededOwner } from '../support/fleet';
import { deleteKeys, testPrefix } from '../support/redis';
import { waitFor } from '../support/wait';
import { QueueHub } from '../../core/queue';
import { solanaWallet } from '../support/keys';
import { linkWalletOnTelegram } from '../support/chat';

const offlineAlerts = (tg: TelegramSandbox, chatId: string) =>
  tg.sent().filter((m) => String(m.chat.id) === chatId && /went offline/.test(m.text ?? '')).length;

/** Beats every node once now, then again every `everyMs` until stopped. */
function beatLoop(store: LivenessStore, nodeIds: string[], graceMs: number, everyMs = 250) {
  let on = true;
  const loop = (async () => {
    while (on) {
      const now = Date.now();
      await store.beat(
        nodeIds.map((nodeId) => ({ nodeId, at: now })),
        now - graceMs,
      );
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { stop: async () => ((on = false), await loop) };
}

describe('reliability (e2e)', () => {
  it('Telegram failing 10% of sends with 5xx and 5% with 429: every owner gets exactly one alert', async () => {
    const tg = await startTelegramSandbox({ limits: false });
    const app = await startTestApp(
      { ...tg.env(), OFFLINE_GRACE_SECONDS: '2', ALERT_GROUP_WAIT_SECONDS: '1', SWEEP_INTERVAL_MS: '250' },
      { roles: ['workers'] },
    );
    try {
      const owners = await seedOwners(app.tdb.db.prisma, {
        owners: 60,
        nodesPerOwner: 3,
        platform: () => 'TELEGRAM',
        firstUserId: 510_000,
      });
      for (const o of owners) tg.user(Number(o.platformUserId));
      const store = new LivenessStore(app.runtime.hub.redis, app.prefix, 'push');
      const beats = beatLoop(
        store,
        owners.flatMap((o) => o.nodeIds),
        2000,
      );
      await waitFor(
        async () => (await app.tdb.db.prisma.node.count({ where: { state: 'ONLINE' } })) === 180 || null,
        { timeoutMs: 15_000, what: 'all online' },
      );
      tg.failRate('sendMessage', { status5xx: 0.1, status429: 0.05, retryAfter: 1, seed: 7 });
      await beats.stop();
      await waitFor(() => owners.every((o) => offlineAlerts(tg, o.platformUserId) >= 1) || null, {
        timeoutMs: 60_000,
        what: 'every owner alerted',
      });
      await waitFor(
        async () =>
          (await app.runtime.hub
            .queue('deliver-telegram')
            .getJobCountByTypes('waiting', 'active', 'delayed')) === 0 || null,
        { timeoutMs: 30_000 },
      );
      const failures = tg.calls('sendMessage').filter((c) => c.status >= 429).length;
      expect(failures).toBeGreaterThan(0);
      for (const o of owners) expect(offlineAlerts(tg, o.platformUserId)).toBe(1);
    } finally {
      await app.destroy();
      await tg.stop();
    }
  }, 120_000);

  it('kill -9 of the workers process mid-storm: after a restart every owner has exactly one offline DM', async () => {
    const tg = await startTelegramSandbox({
      limits: { globalPerSecond: 40, privateBurst: 3, privatePerSecond: 1 },
    });
    const tdb = await createTestDatabase();
    const prefix = testPrefix();
    const hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
    const env = {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ...tg.env(),
      OFFLINE_GRACE_SECONDS: '2',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
      LIVENESS_CLAIM_IDLE_MS: '1000',
    };
    let worker = spawnCli(['start', '--roles', 'workers'], env);
    let owners: SeededOwner[] = [];
    try {
      owners = await seedOwners(tdb.db.prisma, {
        owners: 300,
        nodesPerOwner: 2,
        platform: () => 'TELEGRAM',
        firstUserId: 520_000,
      });
      for (const o of owners) tg.user(Number(o.platformUserId));
      const store = new LivenessStore(hub.redis, prefix, 'push');
      const beats = beatLoop(
        store,
        owners.flatMap((o) => o.nodeIds),
        2000,
      );
      await waitFor(
        async () => (await tdb.db.prisma.node.count({ where: { state: 'ONLINE' } })) === 600 || null,
        { timeoutMs: 30_000, what: 'all online' },
      );
      await beats.stop();
      // Storm: 300 owners at 40 messages/s take ~7.5 s. Kill the workers a quarter of the way in.
      await waitFor(() => tg.sent().length >= 75 || null, { timeoutMs: 30_000, what: 'storm under way' });
      worker.kill('SIGKILL');
      await worker.done;
      const sentAtKill = tg.sent().length;
      expect(sentAtKill).toBeLessThan(300);
      worker = spawnCli(['start', '--roles', 'workers'], env);
      await waitFor(() => owners.every((o) => offlineAlerts(tg, o.platformUserId) >= 1) || null, {
        timeoutMs: 90_000,
        what: 'every owner alerted after restart',
      });
      await waitFor(
        async () =>
          (await hub.queue('deliver-telegram').getJobCountByTypes('waiting', 'active', 'delayed')) === 0 ||
          null,
        { timeoutMs: 30_000 },
      );
      const counts = owners.map((o) => offlineAlerts(tg, o.platformUserId));
      expect(counts.filter((c) => c !== 1)).toEqual([]);
    } finally {
      worker.kill('SIGKILL');
      await worker.done;
      await hub.close();
      await tdb.drop();
      await deleteKeys(prefix);
      await tg.stop();
    }
  }, 180_000);

  it('network API down for many grace periods: no offline alert for its nodes, one staff notice, then one all-clear', async () => {
    const tg = await startTelegramSandbox({ limits: false });
    const net = await startNetworkSandbox();
    const staff = tg.group(-100200300, { title: 'staff', isForum: true });
    const w = solanaWallet();
    const ids = ['net-rig-00001', 'net-rig-00002'];
    for (const id of ids)
      net.upsertNode({
        id,
        status: 'online',
        last_seen: new Date().toISOString(),
        owner_wallet: w.address,
        gpu_model: 'RTX 4090',
        gpu_count: 1,
      });
    // The network's own view keeps moving while it is up.
    let netOn = true;
    const netLoop = (async () => {
      while (netOn) {
        for (const id of ids) net.setStatus(id, 'online', new Date());
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const app: TestApp = await startTestApp({
      ...tg.env(),
      TELEGRAM_STAFF_CHAT_ID: '-100200300',
      NODE_SOURCE: 'poll',
      NODE_SOURCE_URL: net.baseUrl,
      POLL_INTERVAL_SECONDS: '1',
      OFFLINE_GRACE_SECONDS: '5',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
    try {
      const u = tg.user(530, { languageCode: 'en' });
      await linkWalletOnTelegram(u, w);
      await waitFor(
        async () =>
          (await app.tdb.db.prisma.node.count({ where: { externalId: { in: ids } } })) === 2 || null,
        { what: 'poller saw the nodes' },
      );
      for (const id of ids) {
        await u.send(`/addnode ${id}`);
        expect((await u.nextMessage()).text).toMatch(/belongs to your verified wallet/);
      }
      await waitFor(
        async () =>
          (await app.tdb.db.prisma.node.count({ where: { externalId: { in: ids }, state: 'ONLINE' } })) ===
            2 || null,
        { timeoutMs: 15_000, what: 'nodes online via poll' },
      );

      net.down();
      await staff
        .nextMessage({ timeoutMs: 15_000 })
        .then((s) => expect(s.text).toMatch(/network API .* has not answered/));
      // Stay down for three grace periods' worth of polls (the emulator counts them).
      const before = net.requests().length;
      await waitFor(() => net.requests().length >= before + 15 || null, {
        timeoutMs: 30_000,
        what: '15 failed polls',
      });
      net.up();
      await staff.nextMessage({ timeoutMs: 15_000 }).then((s) => expect(s.text).toMatch(/answers again/));
      // A few more sweeps after recovery: still nothing.
      const after = net.requests().length;
      await waitFor(() => net.requests().length >= after + 3 || null, { timeoutMs: 15_000 });
      expect(await app.tdb.db.prisma.nodeTransition.count({ where: { to: 'OFFLINE' } })).toBe(0);
      expect(u.messages().some((x) => /went offline/.test(x.text ?? ''))).toBe(false);
      expect(staff.messages().filter((x) => x.from?.is_bot)).toHaveLength(2);

      // And a real drop reported by the network is still alerted.
      netOn = false;
      await netLoop;
      net.setStatus(ids[0]!, 'offline', new Date(Date.now() - 60_000));
      const alert = await u.nextMessage({ timeoutMs: 20_000 });
      expect(alert.text).toMatch(/1 of your nodes went offline/);
      expect(alert.text).toContain(ids[0]);
    } finally {
      netOn = false;
      await netLoop;
      await app.destroy();
      await net.stop();
      await tg.stop();
    }
  }, 120_000);
});
