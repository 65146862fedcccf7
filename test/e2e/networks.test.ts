// Real networks end to end: a miner adds an io.net device, a Nosana node and an Akash
// provider on Telegram and is told when the network reports them down, with nothing
// installed on the machine. The networks are the sandbox's emulators of their public APIs.
import crypto from 'node:crypto';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { startNetworkSandbox, startRealNetworksSandbox } from '../../sandbox/network';
import { startTestApp } from '../support/app';
import { solanaWallet } from '../support/keys';
import { waitFor } from '../support/wait';

const AKASH = 'akash1ccktptfkvdc67msasmesuy5m7gpc76z75kukpz';
const offline = (texts: string[]) => texts.filter((t) => /went offline/.test(t)).length;

describe('real network sources (e2e)', () => {
  it('io.net: paused never alerts; down alerts once after grace and two polls; recovery; a 20 s outage gives one staff notice and no alert', async () => {
    const tg = await startTelegramSandbox({ limits: false });
    const net = await startRealNetworksSandbox();
    const staff = tg.group(-100300400, { title: 'staff', isForum: true });
    const device = crypto.randomUUID();
    net.ionet.add({ id: device, status: 'up', hardware: 'NVIDIA A100', quantity: 8, location: 'Canada' });
    const app = await startTestApp({
      ...tg.env(),
      ...net.env(['ionet']),
      TELEGRAM_STAFF_CHAT_ID: '-100300400',
      POLL_INTERVAL_SECONDS: '1',
      OFFLINE_GRACE_SECONDS: '3',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
    const prisma = app.tdb.db.prisma;
    const state = async () => (await prisma.node.findUnique({ where: { externalId: device } }))?.state;
    const summaries = () => net.requests('ionet').filter((r) => r.status === 200).length;
    try {
      const u = tg.user(610, { languageCode: 'en' });
      await u.send(`/addnode ${device}`);
      const answer = await u.nextMessage();
      expect(answer.text).toMatch(/watched through io\.net/);
      expect(answer.text).toMatch(/Optional second view/);
      await waitFor(async () => (await state()) === 'ONLINE', {
        timeoutMs: 15_000,
        what: 'online via io.net',
      });

      // Paused: a maintenance state, never an alert, however long.
      net.ionet.setStatus(device, 'paused');
      const atPause = summaries();
      await waitFor(() => summaries() >= atPause + 4 || null, {
        timeoutMs: 20_000,
        what: 'polls while paused',
      });
      expect(await state()).toBe('ONLINE');
      await u.send('/status');
      expect((await u.nextMessage()).text).toMatch(/io\.net says: paused \(maintenance: no alerts\)/);
      await u.nextMessage(); // the uptime chart

      // Down: one DM, only after the grace time and at least two down polls.
      net.ionet.setStatus(device, 'down');
      const downAt = Date.now();
      const atDown = summaries();
      const alert = await u.nextMessage({ timeoutMs: 20_000 });
      expect(alert.text).toMatch(/1 of your nodes went offline/);
      expect(alert.text).toContain(device);
      expect(Date.now() - downAt).toBeGreaterThanOrEqual(3_000);
      expect(summaries() - atDown).toBeGreaterThanOrEqual(2);

      net.ionet.setStatus(device, 'up');
      const back = await u.nextMessage({ timeoutMs: 15_000 });
      expect(back.text).toMatch(/back online/);
      expect(offline(u.messages().map((m) => m.text ?? ''))).toBe(1);

      // A 20-second outage of the explorer API: unknown, never offline.
      net.outage('ionet', '503');
      const outageAt = Date.now();
      const notice = await staff.nextMessage({ timeoutMs: 15_000 });
      expect(notice.text).toMatch(/network API \(io\.net .*\) has not answered/);
      const failed = () => net.requests('ionet').filter((r) => r.status === 503 && r.at >= outageAt).length;
      await waitFor(() => (Date.now() - outageAt >= 20_000 && failed() >= 10) || null, {
        timeoutMs: 40_000,
        what: '20 s of failed polls',
      });
      net.restore('ionet');
      await staff.nextMessage({ timeoutMs: 15_000 }).then((m) => expect(m.text).toMatch(/answers again/));
      const after = summaries();
      await waitFor(() => summaries() >= after + 3 || null, { timeoutMs: 15_000 });
      expect(offline(u.messages().map((m) => m.text ?? ''))).toBe(1);
      expect(staff.messages().filter((m) => m.from?.is_bot)).toHaveLength(2);
      expect(await prisma.nodeTransition.count({ where: { to: 'OFFLINE' } })).toBe(1);
    } finally {
      await app.destroy();
      await net.stop();
      await tg.stop();
    }
  }, 150_000);

  it('a Nosana host that stops answering and an Akash provider with isOnline:false each alert their watcher; blocked is recorded', async () => {
    const tg = await startTelegramSandbox({ limits: false });
    const net = await startRealNetworksSandbox();
    const pollApi = await startNetworkSandbox();
    const nosanaNode = solanaWallet().address;
    const blockedDevice = crypto.randomUUID();
    net.nosana.add({ pubkey: nosanaNode, state: 'RUNNING_JOB' });
    net.akash.add({ owner: AKASH, isOnline: true });
    net.ionet.add({ id: blockedDevice, status: 'up' });
    const app = await startTestApp({
      ...tg.env(),
      ...net.env(['ionet', 'nosana', 'akash']),
      NODE_SOURCE: 'push,poll,ionet,nosana,akash',
      NODE_SOURCE_URL: pollApi.baseUrl,
      POLL_INTERVAL_SECONDS: '1',
      OFFLINE_GRACE_SECONDS: '2',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
    const prisma = app.tdb.db.prisma;
    const online = async (id: string) =>
      (await prisma.node.findUnique({ where: { externalId: id } }))?.state === 'ONLINE';
    try {
      const a = tg.user(620, { languageCode: 'en' });
      const b = tg.user(621, { languageCode: 'en' });
      // With the poll API on too, any id could be its: the bot asks which source watches it.
      await a.send(`/addnode ${nosanaNode}`);
      await a.press(await a.nextMessage(), { text: 'Nosana' });
      expect((await a.nextMessage()).text).toMatch(/watched through Nosana/);
      await b.send(`/addnode ${AKASH} akash`);
      expect((await b.nextMessage()).text).toMatch(/watched through Akash/);
      await b.send(`/addnode ${blockedDevice}`);
      const ask = await b.nextMessage();
      expect(ask.text).toMatch(/fits several networks/);
      await b.press(ask, { text: 'io.net' });
      expect((await b.nextMessage()).text).toMatch(/watched through io\.net/);
      await waitFor(
        async () => (await online(nosanaNode)) && (await online(AKASH)) && (await online(blockedDevice)),
        {
          timeoutMs: 20_000,
          what: 'all three online',
        },
      );

      net.nosana.add({ pubkey: nosanaNode, answer: 'reset' });
      const alertA = await a.nextMessage({ timeoutMs: 20_000 });
      expect(alertA.text).toMatch(/went offline/);
      expect(alertA.text).toContain(nosanaNode);

      net.akash.setOnline(AKASH, false);
      net.ionet.setStatus(blockedDevice, 'blocked');
      const alertB = await b.nextMessage({ timeoutMs: 20_000 });
      expect(alertB.text).toMatch(/went offline/);
      await waitFor(
        async () =>
          (await prisma.nodeSignal.findFirst({
            where: { kind: 'blocked', node: { externalId: blockedDevice } },
          })) || null,
        { timeoutMs: 10_000, what: 'blocked signal recorded' },
      );
      await waitFor(
        () =>
          b
            .messages()
            .map((m) => m.text ?? '')
            .join('\n')
            .includes(AKASH)
            ? true
            : null,
        { timeoutMs: 20_000, what: 'Akash provider alerted' },
      );
      expect(a.messages().some((m) => (m.text ?? '').includes(AKASH))).toBe(false);
    } finally {
      await app.destroy();
      await net.stop();
      await pollApi.stop();
      await tg.stop();
    }
  }, 120_000);
});
