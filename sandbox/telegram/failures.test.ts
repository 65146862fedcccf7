import { Bot } from 'grammy';
import { startTelegramSandbox } from '.';
import { FailureInjector } from './failures';

describe('FailureInjector', () => {
  it('fails a seeded, reproducible fraction of calls', () => {
    const run = () => {
      const f = new FailureInjector();
      f.failRate('sendMessage', { status5xx: 0.2, status429: 0.1, retryAfter: 2, seed: 7 });
      return Array.from({ length: 1000 }, () => f.take('sendMessage')?.code ?? 200);
    };
    const codes = run();
    expect(codes).toEqual(run());
    const share = (code: number) => codes.filter((c) => c === code).length / codes.length;
    expect(share(500)).toBeGreaterThan(0.15);
    expect(share(500)).toBeLessThan(0.25);
    expect(share(429)).toBeGreaterThan(0.06);
    expect(share(429)).toBeLessThan(0.14);
  });

  it('queues failures per method, or for every method with "*"', () => {
    const f = new FailureInjector();
    f.failNext('SendMessage', { status: 429, retryAfter: 5 }, 2);
    f.failNext('*', { status: 502 });
    expect(f.take('sendMessage')).toMatchObject({ code: 429, parameters: { retry_after: 5 } });
    expect(f.take('sendMessage')?.description).toBe('Too Many Requests: retry after 5');
    expect(f.take('getMe')).toMatchObject({ code: 502, description: 'Bad Gateway' });
    expect(f.take('sendMessage')).toBeUndefined();
  });
});

it('fails calls of a running sandbox as asked', async () => {
  const tg = await startTelegramSandbox();
  try {
    tg.user(42);
    const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    tg.failNext('sendMessage', { status: 403, description: 'Forbidden: user is deactivated' });
    await expect(bot.api.sendMessage(42, 'hi')).rejects.toMatchObject({
      error_code: 403,
      description: 'Forbidden: user is deactivated',
    });
    tg.failRate('sendMessage', { status5xx: 1 });
    await expect(bot.api.sendMessage(42, 'hi')).rejects.toMatchObject({ error_code: 500 });
    tg.failRate('sendMessage', null);
    await expect(bot.api.sendMessage(42, 'hi')).resolves.toMatchObject({ text: 'hi' });
    expect(tg.calls('sendMessage').map((c) => c.status)).toEqual([403, 500, 200]);
  } finally {
    await tg.stop();
  }
});
