// discord.js's REST requests through the shared pacer (real Redis): messages take a token
// of the bot's budget, interaction callbacks do not, a global 429 pauses the budget.
import IORedis from 'ioredis';
import type { ResponseLike } from '@discordjs/rest';
import { SendPacer, pacerKey } from '../../notifier/delivery/pacing';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { pacedRequest } from './pacing';

const API = 'http://127.0.0.1:1/api/v10';

function answer(status: number, headers: Record<string, string> = {}) {
  return async () => ({ status, ok: status < 300, headers: new Headers(headers) }) as unknown as ResponseLike;
}

describe('Discord REST pacing', () => {
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  // One token per ~1 s: whether a request took one shows in the next tryAcquire.
  const pacer = (name: string) =>
    new SendPacer(redis, pacerKey(prefix, 'DISCORD', name), { perSecond: 1, chat: () => null });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('a channel message takes a token of the shared budget; an interaction callback does not', async () => {
    const p = pacer('a');
    const request = pacedRequest(p, answer(200));
    await request(`${API}/interactions/1/tok/callback`, { method: 'POST' });
    await request(`${API}/webhooks/2/tok`, { method: 'POST' });
    expect(await p.tryAcquire('x')).toMatchObject({ ok: true });

    const q = pacer('b');
    await pacedRequest(q, answer(200))(`${API}/channels/123/messages`, { method: 'POST' });
    expect(await q.tryAcquire('x')).toMatchObject({ ok: false, scope: 'global' });
  });

  it('a global 429 pauses every sender of the budget for retry_after; a route 429 holds its channel', async () => {
    const p = pacer('c');
    await pacedRequest(p, answer(429, { 'retry-after': '3', 'x-ratelimit-global': 'true' }))(
      `${API}/channels/5/messages`,
      { method: 'POST' },
    );
    const paused = await p.tryAcquire('other');
    expect(paused).toMatchObject({ ok: false, scope: 'global' });
    expect((paused as { waitMs: number }).waitMs).toBeGreaterThan(2_000);

    const q = new SendPacer(redis, pacerKey(prefix, 'DISCORD', 'd'), {
      perSecond: 100_000,
      chat: () => null,
    });
    await pacedRequest(q, answer(429, { 'retry-after': '3' }))(`${API}/channels/6/messages`, {
      method: 'POST',
    });
    expect(await q.tryAcquire('6')).toMatchObject({ ok: false, scope: 'chat' });
    expect(await q.tryAcquire('7')).toMatchObject({ ok: true });
  });
});
