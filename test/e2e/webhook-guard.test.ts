// Issue 9, findings 3 and 4: webhook mode refuses to start without a secret, refuses posts
// with a wrong one, handles each update_id once, and answers 200 to an update whose
// handler failed (Telegram would resend it and re-run the command) or that is malformed.
import { parseConfig, ConfigError } from '../../core/config';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';

const SECRET = 'hook_secret_0123456789';

describe('Telegram webhook guard (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let hook: string;
  let updateId = 7_000_000;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    const port = await freePort();
    hook = `http://127.0.0.1:${port}/telegram/webhook`;
    app = await startTestApp(
      { ...tg.env(), HTTP_PORT: String(port), TELEGRAM_WEBHOOK_URL: hook, TELEGRAM_WEBHOOK_SECRET: SECRET },
      { roles: ['bots', 'web'] },
    );
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  const command = (userId: number, text: string, id = ++updateId) => ({
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: 'private', first_name: 'W' },
      from: { id: userId, is_bot: false, first_name: 'W', language_code: 'en' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
    },
  });
  const post = (body: unknown, secret: string | null = SECRET) =>
    fetch(hook, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret !== null ? { 'x-telegram-bot-api-secret-token': secret } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const tokensIssued = (nodeId: string) =>
    app.tdb.db.prisma.auditEvent.count({
      where: { subjectId: nodeId, action: { in: ['node.add', 'node.token_rotate'] } },
    });

  it('webhook URL without a secret is a configuration error at start', () => {
    expect(() =>
      parseConfig({
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
        TELEGRAM_BOT_TOKEN: tg.token,
        TELEGRAM_WEBHOOK_URL: hook,
      }),
    ).toThrow(ConfigError);
    try {
      parseConfig({ DATABASE_URL: 'postgresql://x@127.0.0.1/db', TELEGRAM_WEBHOOK_URL: hook });
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/^TELEGRAM_WEBHOOK_SECRET: is required/m);
    }
  });

  it('a wrong or missing secret gets 401 and runs nothing', async () => {
    tg.user(610);
    for (const secret of [null, 'x', SECRET.replace('0', '1'), `${SECRET}x`]) {
      const res = await post(command(610, '/addnode forged-rig-01'), secret);
      expect(res.status).toBe(401);
    }
    expect(await tokensIssued('forged-rig-01')).toBe(0);
  });

  it('the same update_id twice is handled once (a replayed /addnode does not rotate the token)', async () => {
    const u = tg.user(611);
    const update = command(611, '/addnode dup-rig-01');
    expect((await post(update)).status).toBe(200);
    expect((await post(update)).status).toBe(200);
    await u.nextMessage();
    expect(await tokensIssued('dup-rig-01')).toBe(1);
    expect(tg.sent().filter((m) => m.chat.id === 611)).toHaveLength(1);
  });

  it('a handler error answers 200 and a resend does not run it again', async () => {
    tg.user(612);
    tg.failNext('sendMessage', { status: 400, description: 'Bad Request: injected failure' });
    const update = command(612, '/addnode err-rig-01');
    expect((await post(update)).status).toBe(200);
    await waitFor(() => app.logs.some((l) => l.includes('telegram update failed')) || null, {
      what: 'the failure logged',
    });
    expect((await post(update)).status).toBe(200);
    expect(await tokensIssued('err-rig-01')).toBe(1);
    expect(tg.calls('sendMessage').filter((c) => String(c.params.chat_id) === '612')).toHaveLength(1);
  });

  it('a malformed update with the right secret gets 200 and a log line', async () => {
    expect((await post('{not json')).status).toBe(200);
    expect((await post({ hello: 'world' })).status).toBe(200);
    expect((await post({ update_id: -5 })).status).toBe(200);
    expect(app.logs.filter((l) => l.includes('malformed Telegram update ignored'))).toHaveLength(3);
  });
});
