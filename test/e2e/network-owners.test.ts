// Watching and owning network devices end to end (Telegram sandbox + io.net emulator):
// two users watch one public io.net device and each gets their own alert; one of them
// proves ownership with a code in the device name, read at the device's next poll.
import crypto from 'node:crypto';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { startRealNetworksSandbox } from '../../sandbox/network';
import { startTestApp } from '../support/app';
import { waitFor } from '../support/wait';

describe('network devices: many watchers, ownership by device name (e2e)', () => {
  it('two watchers of one io.net device each get one alert; a code in the device name makes one the owner', async () => {
    const tg = await startTelegramSandbox({ limits: false });
    const net = await startRealNetworksSandbox();
    const device = crypto.randomUUID();
    net.ionet.add({ id: device, status: 'up', name: 'rig-a' });
    const app = await startTestApp({
      ...tg.env(),
      ...net.env(['ionet']),
      POLL_INTERVAL_SECONDS: '1',
      OFFLINE_GRACE_SECONDS: '2',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
    const prisma = app.tdb.db.prisma;
    const userOf = async (tgId: number) =>
      (await prisma.identity.findFirstOrThrow({ where: { platformUserId: String(tgId) } })).userId;
    const rows = () => prisma.node.findMany({ where: { externalId: { startsWith: device } } });
    const summaries = () => net.requests('ionet').filter((r) => r.status === 200).length;
    try {
      const first = tg.user(710, { languageCode: 'en' });
      const second = tg.user(711, { languageCode: 'en' });
      await first.send(`/addnode ${device}`);
      expect((await first.nextMessage()).text).toMatch(/watched through io\.net/);
      await second.send(`/addnode ${device}`);
      const shared = await second.nextMessage();
      expect(shared.text).toMatch(/Someone else holds node .*you watch it too/);
      expect(shared.text).not.toContain('curl');
      await waitFor(async () => ((await rows()).every((r) => r.state === 'ONLINE') ? true : null), {
        timeoutMs: 20_000,
        what: 'both rows online',
      });
      expect(await rows()).toHaveLength(2);

      // One device, one request per poll, whatever the number of watchers.
      const t0 = summaries();
      await waitFor(() => summaries() >= t0 + 3 || null, { timeoutMs: 15_000, what: 'three polls' });
      const perDevice = net.requests('ionet').filter((r) => r.path.includes(device)).length;
      expect(perDevice).toBe(net.requests('ionet').length);

      // Down: each watcher gets their own alert, once.
      net.ionet.setStatus(device, 'down');
      const a1 = await first.nextMessage({ timeoutMs: 20_000 });
      const a2 = await second.nextMessage({ timeoutMs: 20_000 });
      for (const a of [a1, a2]) {
        expect(a.text).toMatch(/went offline/);
        expect(a.text).toContain(device);
        // A second watcher's row is `<device>~<user>`; the alert names the device only.
        expect(a.text).not.toContain('~');
      }
      net.ionet.setStatus(device, 'up');
      for (const w of [first, second]) {
        const back = (await w.nextMessage({ timeoutMs: 15_000 })).text;
        expect(back).toMatch(/back online/);
        expect(back).not.toContain('~');
      }

      // The second watcher proves ownership: a code of someone else's or a made-up one proves nothing.
      await second.press(shared, { text: 'Prove I own it' });
      const challenge = await second.nextMessage();
      const code = /ND-[A-Z2-9]{6}/.exec(challenge.text ?? '')?.[0];
      expect(code).toBeDefined();
      net.ionet.add({ id: device, name: 'rig-a ND-AAAAAA' });
      const t1 = summaries();
      await waitFor(() => summaries() >= t1 + 2 || null, {
        timeoutMs: 15_000,
        what: 'polls of a wrong code',
      });
      const own = async () => (await rows()).find((r) => r.externalId === device)!;
      expect((await own()).userId).toBe(await userOf(710));

      net.ionet.add({ id: device, name: `rig-a ${code!.toLowerCase()}` });
      expect((await second.nextMessage({ timeoutMs: 20_000 })).text).toMatch(/Ownership proven/);
      expect((await first.nextMessage({ timeoutMs: 20_000 })).text).toMatch(/was claimed by someone/);
      const row = await own();
      expect(row.userId).toBe(await userOf(711));
      expect(row.ownedVia).toBe('device_name');
      expect(row.tokenHash).toBeNull(); // the first watcher's heartbeat token is void
      // The first watcher keeps watching from a watch row; the prover's own watch row is unlinked.
      const linked = (await rows()).filter((r) => r.userId);
      expect(linked.map((r) => r.userId).sort()).toEqual([await userOf(710), await userOf(711)].sort());
      await first.send('/nodes');
      expect((await first.nextMessage()).text).toContain(`${device} (watching)`);
      // A used code proves once: the device name still carries it, nothing changes again.
      const t2 = summaries();
      await waitFor(() => summaries() >= t2 + 2 || null, { timeoutMs: 15_000 });
      expect(await prisma.auditEvent.count({ where: { action: 'node.claim', subjectId: device } })).toBe(1);
    } finally {
      await app.destroy();
      await net.stop();
      await tg.stop();
    }
  }, 150_000);
});
