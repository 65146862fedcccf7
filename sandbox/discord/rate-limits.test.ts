import { DiscordAPIError, RESTEvents, type Client, type TextChannel } from 'discord.js';
import { startDiscordSandbox, type DiscordSandbox } from './index';
import { connectClient } from './testing';
import { RateLimiter } from './rate-limits';

const raw = (dc: DiscordSandbox, path: string, init: RequestInit = {}) =>
  fetch(`${dc.apiBase}/v10${path}`, {
    ...init,
    headers: { Authorization: `Bot ${dc.token}`, 'Content-Type': 'application/json', ...init.headers },
  });

describe('discord sandbox rate limits', () => {
  let dc: DiscordSandbox;
  let client: Client<true> | undefined;

  afterEach(async () => {
    await client?.destroy();
    client = undefined;
    await dc.stop();
  });

  it('lets discord.js send a burst of 120 messages without a single 429, from the headers alone', async () => {
    // Discord's real bucket (5 per 5 s per channel) with 50x shorter windows; global 50/s as on
    // Discord, in the forgiving bucket mode: discord.js counts fixed one-second windows.
    dc = await startDiscordSandbox({ limits: { windowScale: 0.02, globalMode: 'bucket' } });
    client = await connectClient(dc);
    const channels = [
      dc.generalChannelId,
      dc.supportChannelId,
      dc.modChannelId,
      dc.createChannel({ name: 'alerts' }).id,
    ];
    await dc.waitFor(() => client!.channels.cache.has(channels[3]!));
    const seenByClient: number[] = [];
    client.rest.on(RESTEvents.Response, (_req, res) => void seenByClient.push(res.status));

    await Promise.all(
      Array.from({ length: 120 }, (_, n) =>
        (client!.channels.cache.get(channels[n % 4]!) as TextChannel).send(`alert ${n}`),
      ),
    );

    expect(seenByClient.filter((s) => s === 429)).toEqual([]);
    expect(dc.rateLimitHits()).toBe(0);
    const sends = dc.requests({ method: 'POST', path: '/channels/:id/messages' });
    expect(sends).toHaveLength(120);
    expect(channels.map((c) => dc.channel(c).messages().length)).toEqual([30, 30, 30, 30]);
    // The client really was held back by the buckets (5 per 100 ms per channel).
    const general = sends.filter((r) => r.path.includes(dc.generalChannelId));
    expect(general.at(-1)!.at - general[0]!.at).toBeGreaterThanOrEqual(500);
  });

  it('lets discord.js DM 60 users at once (open DM + send) without a 429 in bucket mode', async () => {
    dc = await startDiscordSandbox({ limits: { globalMode: 'bucket' } });
    const ids = Array.from({ length: 60 }, (_, n) => `4000000000000${String(n).padStart(5, '0')}`);
    for (const id of ids) dc.user(id);
    client = await connectClient(dc);
    await Promise.all(ids.map(async (id) => (await client!.users.fetch(id)).send('node offline')));
    expect(dc.rateLimitHits()).toBe(0);
    expect(ids.every((id) => dc.user(id).dms().length === 1)).toBe(true);
  });

  it('answers a route 429 with Discord headers when a client ignores them', async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.2 } });
    const res = await Promise.all(
      Array.from({ length: 6 }, () =>
        raw(dc, `/channels/${dc.generalChannelId}/messages`, {
          method: 'POST',
          body: JSON.stringify({ content: 'spam' }),
        }),
      ),
    );
    const statuses = res.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    const limited = res.find((r) => r.status === 429)!;
    expect(limited.headers.get('x-ratelimit-scope')).toBe('user');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(await limited.json()).toMatchObject({
      message: 'You are being rate limited.',
      global: false,
      retry_after: expect.any(Number),
    });
    const ok = res.find((r) => r.status === 200)!;
    for (const h of [
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'x-ratelimit-reset-after',
      'x-ratelimit-bucket',
    ])
      expect(ok.headers.get(h)).not.toBeNull();
    expect(dc.rateLimitHits()).toBe(1);
  });

  it('enforces the global limit with X-RateLimit-Global, but not on interaction endpoints', async () => {
    dc = await startDiscordSandbox({ limits: { globalPerSecond: 5 } });
    const res = await Promise.all(Array.from({ length: 12 }, () => raw(dc, '/users/@me')));
    const limited = res.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.headers.get('x-ratelimit-global')).toBe('true');
    expect(limited[0]!.headers.get('x-ratelimit-scope')).toBe('global');
    expect(await limited[0]!.json()).toMatchObject({ global: true });
    // Interaction callbacks are exempt: an unknown interaction is a 404, not a 429.
    const cb = await fetch(`${dc.apiBase}/v10/interactions/1234567890123456789/tok/callback`, {
      method: 'POST',
      body: '{"type":4}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(cb.status).toBe(404);
  });

  it('by default never lets more than the global limit into any one-second window', () => {
    const limiter = new RateLimiter({ globalPerSecond: 10 });
    for (let i = 0; i < 10; i++) expect(limiter.take('default', 'x', true, 900 + i).ok).toBe(true);
    // A fixed-window counter would take more once its second rolled over at 1,000; the
    // sliding window refuses until a full second has passed since each of the first ten.
    const early = limiter.take('default', 'x', true, 1_500);
    expect(early).toMatchObject({ ok: false, global: true, retryAfter: 0.4 });
    expect(limiter.take('default', 'x', true, 1_900).ok).toBe(true);
    expect(limiter.take('default', 'x', true, 1_900).ok).toBe(false);
    // Bucket mode forgives a second window right after the first.
    const bucket = new RateLimiter({ globalPerSecond: 10, globalMode: 'bucket' });
    for (let i = 0; i < 20; i++) expect(bucket.take('default', 'x', true, Date.now()).ok).toBe(true);
  });

  it('injects failures that discord.js retries (5xx, 429) or surfaces (403)', async () => {
    dc = await startDiscordSandbox({ limits: false });
    client = await connectClient(dc);
    const general = client.channels.cache.get(dc.generalChannelId) as TextChannel;

    dc.failNext({ method: 'POST', path: '/channels/:id/messages' }, { status: 500 });
    await general.send('after a 500');
    dc.failNext(
      { method: 'POST', path: `/channels/${dc.generalChannelId}/messages` },
      { status: 429, retryAfter: 0.05 },
    );
    await general.send('after a 429');
    expect(dc.requests({ method: 'POST', path: '/channels/:id/messages' }).map((r) => r.status)).toEqual([
      500, 200, 429, 200,
    ]);

    dc.failNext({ path: /^\/channels\/\d+\/messages$/ }, { status: 403, code: 50013 });
    const err = await general.send('forbidden').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect(err).toMatchObject({ status: 403, code: 50013, message: 'Missing Permissions' });

    const stop = dc.failRate({ path: '/users/@me' }, { status5xx: 1 });
    expect((await raw(dc, '/users/@me')).status).toBe(500);
    stop();
    expect((await raw(dc, '/users/@me')).status).toBe(200);
  });

  it('requires the bot token and uses Discord error shapes', async () => {
    dc = await startDiscordSandbox({ limits: false });
    const noAuth = await fetch(`${dc.apiBase}/v10/users/@me`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    const unknown = await raw(dc, '/channels/1234567890123456789');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Unknown Channel', code: 10003 });
    const noRoute = await raw(dc, '/nope');
    expect(await noRoute.json()).toEqual({ message: '404: Not Found', code: 0 });
  });
});
