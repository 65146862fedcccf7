import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, webhookCallback } from 'grammy';
import { startTelegramSandbox, type TelegramSandbox } from '.';

let tg: TelegramSandbox;
let server: http.Server;
let url: string;
const secrets: Array<string | undefined> = [];
let failNextDeliveries = 0;

async function listen(handler: http.RequestListener): Promise<void> {
  server = http.createServer((req, res) => {
    secrets.push(req.headers['x-telegram-bot-api-secret-token'] as string | undefined);
    if (failNextDeliveries > 0) {
      failNextDeliveries--;
      res.writeHead(500).end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`;
}

beforeEach(async () => {
  tg = await startTelegramSandbox({ webhook: { retryDelayMs: 10 } });
  secrets.length = 0;
  failNextDeliveries = 0;
});

afterEach(async () => {
  await tg.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('posts updates to the webhook with the secret header and refuses getUpdates meanwhile', async () => {
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  bot.command('start', (ctx) => ctx.reply('Welcome'));
  await listen(webhookCallback(bot, 'http', { secretToken: 'hook-secret_1' }));

  await bot.api.setWebhook(url, { secret_token: 'hook-secret_1' });
  expect(tg.webhook()).toMatchObject({ url, secretToken: 'hook-secret_1' });
  const u = tg.user(42);
  await u.send('/start');
  expect((await u.nextMessage()).text).toBe('Welcome');
  expect(secrets).toEqual(['hook-secret_1']);

  await expect(bot.api.getUpdates()).rejects.toMatchObject({
    error_code: 409,
    description:
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  });
  await tg.drained();
  expect(await bot.api.getWebhookInfo()).toMatchObject({
    url,
    pending_update_count: 0,
    has_custom_certificate: false,
  });
});

it('retries a failing webhook until it answers 2xx, and reports the error meanwhile', async () => {
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
  await listen(webhookCallback(bot, 'http'));
  failNextDeliveries = 2;
  await bot.api.setWebhook(url);
  const u = tg.user(42);
  await u.send('hello');
  expect((await u.nextMessage()).text).toBe('echo: hello');
  expect(secrets).toHaveLength(3);
  expect(await bot.api.getWebhookInfo()).toMatchObject({
    last_error_message: 'Wrong response from the webhook: 500 Internal Server Error',
    last_error_date: expect.any(Number),
  });
});

it('executes a method returned in the webhook response (webhook reply)', async () => {
  const bot = new Bot(tg.token, {
    client: { apiRoot: tg.apiRoot, canUseWebhookReply: (m) => m === 'sendMessage' },
  });
  bot.command('ping', (ctx) => ctx.reply('pong'));
  await listen(webhookCallback(bot, 'http'));
  await bot.api.setWebhook(url);
  const u = tg.user(42);
  await u.send('/ping');
  expect((await u.nextMessage()).text).toBe('pong');
  expect(tg.calls('sendMessage')).toHaveLength(1);
});

it('returns to long polling after deleteWebhook', async () => {
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  await listen((_req, res) => res.writeHead(200).end());
  await bot.api.setWebhook(url);
  await bot.api.deleteWebhook();
  const u = tg.user(42);
  await u.send('queued');
  const updates = await bot.api.getUpdates({ timeout: 1 });
  expect(updates.map((x) => x.message?.text)).toEqual(['queued']);
});
