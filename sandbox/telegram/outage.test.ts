import { Api, HttpError } from 'grammy';
import { startTelegramSandbox, type TelegramSandbox } from '.';

describe('Telegram sandbox outages (the API lost while the bot runs)', () => {
  let tg: TelegramSandbox;
  beforeEach(async () => {
    tg = await startTelegramSandbox({ limits: false });
    tg.user(5, { firstName: 'Ann' });
  });
  afterEach(async () => {
    await tg.restore().catch(() => {});
    await tg.stop();
  });

  it('refuse: the port is closed, calls fail at once, and it comes back on the same apiRoot', async () => {
    const api = new Api(tg.token, { apiRoot: tg.apiRoot, timeoutSeconds: 5 });
    await api.sendMessage(5, 'before');
    await tg.outage('refuse');
    const err = await api.sendMessage(5, 'during').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    await tg.restore();
    await api.sendMessage(5, 'after');
    expect(tg.sent().map((m) => m.text)).toEqual(['before', 'after']);
  });

  it('refuse: a held long poll is reset, not left hanging', async () => {
    const api = new Api(tg.token, { apiRoot: tg.apiRoot, timeoutSeconds: 60 });
    const poll = api.getUpdates({ timeout: 30 }).catch((e: unknown) => e);
    await tg.waitFor(() => tg.isPolling(), { what: 'a held poll' });
    const t0 = Date.now();
    await tg.outage('refuse');
    expect(await poll).toBeInstanceOf(HttpError);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('silent: calls are accepted but never answered nor acted on; updates sent meanwhile wait', async () => {
    await tg.outage('silent');
    const api = new Api(tg.token, { apiRoot: tg.apiRoot, timeoutSeconds: 1 });
    const err = await api.sendMessage(5, 'into the void').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    await tg.user(5).send('hello?');
    await tg.restore();
    const updates = await api.getUpdates({ timeout: 0 });
    expect(updates.map((u) => u.message?.text)).toEqual(['hello?']);
    expect(tg.sent()).toEqual([]);
  });
});
