// Telegram webhook mode: the bots role registers the webhook, the web role serves updates.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { freePort } from '../support/ports';

describe('Telegram webhook mode (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    const port = await freePort();
    app = await startTestApp(
      {
        ...tg.env(),
        HTTP_PORT: String(port),
        TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
        TELEGRAM_WEBHOOK_SECRET: 'hook_secret_123',
      },
      { roles: ['bots', 'web'] },
    );
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('registers the webhook with its secret and answers commands through the web role', async () => {
    expect(tg.webhook()).toMatchObject({ url: expect.stringContaining('/telegram/webhook') });
    expect(tg.calls('getUpdates')).toHaveLength(0);
    const u = tg.user(601, { languageCode: 'zh' });
    await u.send('/start');
    expect((await u.nextMessage()).text).toMatch(/^欢迎使用 nodedesk/);
  });

  it('a POST without the secret is refused', async () => {
    const res = await fetch(`http://127.0.0.1:${app.runtime.port}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        update_id: 1,
        message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' }, text: '/start' },
      }),
    });
    expect(res.status).toBe(401);
  });
});
