// Issue 9 (findings 5 and 8): the Telegram Bot API lost while the bot runs. The bot keeps
// running, logs one line when the API is lost and one when it is back (the token in
// neither), an alert due during the outage waits and is delivered when the API returns, a
// user's message sent meanwhile is answered then, and a shutdown during an outage is quick.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { codeEntity } from '../support/chat';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

const LOST = /Telegram Bot API unreachable/;
const BACK = /Telegram Bot API reachable again/;

describe('Telegram API lost while running (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let url: string;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    // Any error text the API (or a proxy in front) gives carries the URL, token included.
    tg.echoUrlInErrors(true);
    const port = await freePort();
    url = `http://127.0.0.1:${port}/v1/heartbeats`;
    app = await startTestApp({
      ...tg.env(),
      HTTP_PORT: String(port),
      OFFLINE_GRACE_SECONDS: '2',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.restore().catch(() => {});
    await tg.stop();
  });

  const msgs = (from: number) => app.logs.slice(from).map((l) => (JSON.parse(l) as { msg: string }).msg);

  it('the API refusing connections: one line lost, one back; the alert and the user message wait, then go out', async () => {
    const u = tg.user(902, { languageCode: 'en' });
    await u.send('/addnode lost-rig-01');
    const token = codeEntity(await u.nextMessage());
    const beat = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ node_id: 'lost-rig-01', status: 'online' }),
      });
    expect((await beat()).status).toBe(202);
    await waitFor(
      async () =>
        (await app.tdb.db.prisma.node.findUnique({ where: { externalId: 'lost-rig-01' } }))?.state ===
        'ONLINE',
      { what: 'node online' },
    );
    await tg.waitFor(() => tg.isPolling(), { what: 'the bot polling' });

    const from = app.logs.length;
    const lostAt = Date.now();
    await tg.outage('refuse');
    await waitFor(() => msgs(from).some((m) => LOST.test(m)), { what: 'the "unreachable" line' });
    console.log(`lost: said after ${Date.now() - lostAt} ms`);
    // Meanwhile the node stops beating (its alert falls due) and the user writes to the bot.
    await u.send('/nodes');
    await waitFor(
      async () =>
        (await app.tdb.db.prisma.node.findUnique({ where: { externalId: 'lost-rig-01' } }))?.state ===
        'OFFLINE',
      { timeoutMs: 30_000, what: 'node offline' },
    );
    // The alert's delivery has been tried twice before the API returns, and waits without
    // spending its attempts (an outage is not the message's fault).
    const delivery = app.runtime.hub.queue('deliver-telegram');
    await waitFor(
      async () => (await delivery.getDelayed()).some((j) => j.attemptsStarted >= 2 && j.attemptsMade === 0),
      { timeoutMs: 30_000, what: 'two delivery tries, no attempt spent' },
    );
    const outageLines = msgs(from);

    const backAt = Date.now();
    await tg.restore();
    const alert = await waitFor(
      () => tg.sent().find((m) => m.chat.id === 902 && /went offline/.test(m.text ?? '')),
      { timeoutMs: 60_000, what: 'the offline alert after the API returned' },
    );
    const alertS = (Date.now() - backAt) / 1000;
    // The message sent during the outage is answered too (its update waited at Telegram).
    await waitFor(
      () => tg.sent().find((m) => m.chat.id === 902 && /lost-rig-01/.test(m.text ?? '') && m !== alert),
      {
        timeoutMs: 30_000,
        what: 'the /nodes answer',
      },
    );
    await waitFor(() => msgs(from).some((m) => BACK.test(m)), { what: 'the "reachable again" line' });
    const answeredS = (Date.now() - backAt) / 1000;
    const all = msgs(from);
    console.log(
      `outage ${((backAt - lostAt) / 1000).toFixed(1)} s; alert out ${alertS.toFixed(1)} s after the API returned, ` +
        `/nodes answered within ${answeredS.toFixed(1)} s; lines while down: ${JSON.stringify(outageLines)}`,
    );
    expect(all.filter((m) => LOST.test(m))).toHaveLength(1);
    expect(all.filter((m) => BACK.test(m))).toHaveLength(1);
    // No per-call or per-retry noise: the one line covers every failed poll and send.
    expect(outageLines).toEqual([expect.stringMatching(LOST)]);
    expect(tg.sent().filter((m) => m.chat.id === 902 && /went offline/.test(m.text ?? ''))).toHaveLength(1);
    expect(app.logs.join('')).not.toContain(tg.token.split(':')[1]!);
  });

  it('the API silent (accepts, never answers): shutdown is quick, and after it the message waiting is answered', async () => {
    const from = app.logs.length;
    const before = tg.sent().filter((m) => m.chat.id === 902).length;
    await tg.outage('silent');
    // The update reaches the bot's held poll, but the answer is lost in the partition.
    await tg.user(902).send('/start');
    const t0 = Date.now();
    await app.stop();
    const stopMs = Date.now() - t0;
    console.log(`shutdown during a silent outage took ${stopMs} ms`);
    expect(stopMs).toBeLessThan(10_000);
    expect(app.logs.slice(from).join('')).not.toContain(tg.token.split(':')[1]!);

    // The API returns and the app starts again: the /start that waited at Telegram is answered.
    await tg.restore();
    await app.start();
    await tg.waitFor(({ sent }) => sent.filter((m) => m.chat.id === 902).length > before, {
      timeoutMs: 30_000,
      what: 'the answer to /start',
    });
  });
});
