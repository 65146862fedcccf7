import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError } from 'grammy';
import { startTelegramSandbox, type TelegramSandbox } from '.';
import { RateLimiter } from './limits';

let tg: TelegramSandbox | undefined;

afterEach(async () => {
  await tg?.stop();
  tg = undefined;
});

describe('RateLimiter (sliding windows, the default)', () => {
  it('never lets more than the limit into any one-second window, across window edges', () => {
    const limiter = new RateLimiter({});
    // 30 at the end of one fixed second, then more at the start of the next: a fixed-window
    // counter would take them all, the sliding window refuses until the first ones age out.
    for (let i = 1; i <= 30; i++) expect(limiter.hit(i, 990)).toBeUndefined();
    expect(limiter.hit(31, 1_010)).toBe(1);
    expect(limiter.hit(31, 1_989)).toBe(1);
    expect(limiter.hit(31, 1_990)).toBeUndefined();
  });

  it('takes one message per second per private chat, with no burst', () => {
    const limiter = new RateLimiter({});
    expect(limiter.hit(42, 0)).toBeUndefined();
    expect(limiter.hit(42, 500)).toBe(1);
    expect(limiter.hit(43, 500)).toBeUndefined();
    expect(limiter.hit(42, 999)).toBe(1);
    expect(limiter.hit(42, 1_000)).toBeUndefined();
  });

  it('takes 20 messages in any minute per group', () => {
    const limiter = new RateLimiter({});
    for (let i = 0; i < 20; i++) expect(limiter.hit(-100123, i * 1_000)).toBeUndefined();
    expect(limiter.hit(-100123, 30_000)).toBe(30);
    expect(limiter.hit(-100123, 60_000)).toBeUndefined();
  });
});

describe('RateLimiter (bucket mode)', () => {
  it('lets a private chat burst, then paces it at one message per second', () => {
    const limiter = new RateLimiter({ mode: 'bucket', privateBurst: 2 });
    expect(limiter.hit(42, 0)).toBeUndefined();
    expect(limiter.hit(42, 0)).toBeUndefined();
    expect(limiter.hit(42, 0)).toBe(1);
    expect(limiter.hit(43, 0)).toBeUndefined();
    expect(limiter.hit(42, 999)).toBe(1);
    expect(limiter.hit(42, 1000)).toBeUndefined();
  });

  it('allows 20 messages a minute to a group and reports whole seconds to wait', () => {
    const limiter = new RateLimiter({ mode: 'bucket' });
    for (let i = 0; i < 20; i++) expect(limiter.hit(-100123, 0)).toBeUndefined();
    expect(limiter.hit(-100123, 0)).toBe(3);
    expect(limiter.hit(-100123, 2_500)).toBe(1);
    expect(limiter.hit(-100123, 3_000)).toBeUndefined();
  });

  it('caps all chats together at 30 per second', () => {
    const limiter = new RateLimiter({ mode: 'bucket' });
    for (let i = 1; i <= 30; i++) expect(limiter.hit(i, 0)).toBeUndefined();
    expect(limiter.hit(31, 0)).toBe(1);
  });

  it('scales time and can be switched off', () => {
    const fast = new RateLimiter({
      mode: 'bucket',
      privateBurst: 1,
      timeScale: 0.01,
      retryAfterSeconds: 0.01,
    });
    expect(fast.hit(1, 0)).toBeUndefined();
    expect(fast.hit(1, 5)).toBe(0.01);
    expect(fast.hit(1, 10)).toBeUndefined();
    const off = new RateLimiter(false);
    for (let i = 0; i < 100; i++) expect(off.hit(1, 0)).toBeUndefined();
  });
});

it('answers 429 with retry_after past one message per second, and auto-retry recovers', async () => {
  tg = await startTelegramSandbox({ limits: { privatePerSecond: 1, privateBurst: 1 } });
  tg.user(42);
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });

  await bot.api.sendMessage(42, 'Node A offline');
  const flood = bot.api.sendMessage(42, 'Node B offline');
  await expect(flood).rejects.toBeInstanceOf(GrammyError);
  await expect(flood).rejects.toMatchObject({
    error_code: 429,
    description: 'Too Many Requests: retry after 1',
    parameters: { retry_after: 1 },
  });

  bot.api.config.use(autoRetry());
  const started = Date.now();
  await bot.api.sendMessage(42, 'Node B offline');
  expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  expect(
    tg
      .user(42)
      .messages()
      .map((m) => m.text),
  ).toEqual(['Node A offline', 'Node B offline']);
  expect(tg.calls('sendMessage').map((c) => c.status)).toEqual([200, 429, 429, 200]);
});

it('counts edits and group messages, with a time scale for quick tests', async () => {
  tg = await startTelegramSandbox({
    limits: { groupPerMinute: 3, timeScale: 0.01, retryAfterSeconds: 0.01 },
  });
  tg.group(-100500, { title: 'Staff' });
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  bot.api.config.use(autoRetry());
  const first = await bot.api.sendMessage(-100500, 'Ticket #1 opened');
  await bot.api.sendMessage(-100500, 'Ticket #2 opened');
  await bot.api.editMessageText(-100500, first.message_id, 'Ticket #1 closed');
  await bot.api.sendMessage(-100500, 'Ticket #3 opened');
  const statuses = tg.calls().map((c) => c.status);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
  expect(tg.sent().map((m) => m.text)).toEqual(['Ticket #1 closed', 'Ticket #2 opened', 'Ticket #3 opened']);
});

it('can drop the limits entirely', async () => {
  tg = await startTelegramSandbox({ limits: false });
  tg.user(42);
  const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  await Promise.all(Array.from({ length: 40 }, (_, i) => bot.api.sendMessage(42, `alert ${i}`)));
  expect(tg.sent()).toHaveLength(40);
});
