// The shared send pacer against real Redis: even spacing, per-chat windows, 429 scopes,
// several processes (connections) drawing from one budget.
import IORedis from 'ioredis';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { maxInWindow } from '../../test/support/windows';
import { SendPacer, pacerKey, type PacingLimits } from './pacing';

describe('SendPacer', () => {
  const prefix = testPrefix();
  const conns: IORedis[] = [];
  const connect = () => {
    const r = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
    conns.push(r);
    return r;
  };
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    await deleteKeys(prefix);
  });

  it('two processes on one budget never get more than the limit in any second, evenly spaced', async () => {
    const limits: PacingLimits = { perSecond: 20, chat: () => null };
    const key = pacerKey(prefix, 'DISCORD', 'token-a');
    const a = new SendPacer(connect(), key, limits);
    const b = new SendPacer(connect(), key, limits);
    const granted: number[] = [];
    const lane = async (p: SendPacer, n: number) => {
      for (let i = 0; i < n; i++) {
        const g = await p.acquire('any');
        if (!g.ok) throw new Error('refused');
        granted.push(g.at);
      }
    };
    // 6 concurrent senders per process, 60 tokens in all.
    await Promise.all([...Array(6)].flatMap(() => [lane(a, 5), lane(b, 5)]));
    expect(granted).toHaveLength(60);
    expect(maxInWindow(granted, 1_000)).toBeLessThanOrEqual(20);
    const span = Math.max(...granted) - Math.min(...granted);
    // 59 gaps of 1/(0.985 × 20) s = 3.0 s; the herd of waiting senders must not drift it
    // much (the bound leaves room for this shared, loaded machine).
    expect(span).toBeGreaterThanOrEqual(2_900);
    expect(span).toBeLessThanOrEqual(1.3 * 3_000);
  });

  it('sends that leave late (a stall after the grant) still never put more than the limit in a second at the platform', async () => {
    const limits: PacingLimits = { perSecond: 10, chat: () => null };
    const p = new SendPacer(connect(), pacerKey(prefix, 'TELEGRAM', 'token-late'), limits);
    const arrived: number[] = [];
    const lane = async (lane: number) => {
      for (let i = 0; i < 10; i++) {
        const g = await p.acquire();
        if (!g.ok) throw new Error('refused');
        // Every other send of half the lanes stalls 150 ms between its token and the
        // platform: by grant times alone, 11 sends would reach it within one second.
        if (lane % 2 === 0 && i % 2 === 0) await new Promise((r) => setTimeout(r, 150));
        arrived.push(Date.now());
        await new Promise((r) => setTimeout(r, 2)); // the platform's answer
        await p.settle(g);
      }
    };
    await Promise.all([0, 1, 2, 3].map(lane));
    expect(arrived).toHaveLength(40);
    expect(
      maxInWindow(
        arrived.sort((a, b) => a - b),
        1_000,
      ),
    ).toBeLessThanOrEqual(10);
  });

  it('a sender that stalled catches up the tokens it missed; an idle one gets no burst', async () => {
    const limits: PacingLimits = { perSecond: 100, chat: () => null };
    const p = new SendPacer(connect(), pacerKey(prefix, 'DISCORD', 'token-catch'), limits);
    const burst = async () => {
      let n = 0;
      while ((await p.tryAcquire()).ok) n++;
      return n;
    };
    expect(await burst()).toBe(1); // a fresh budget: one token, the grid starts
    // 40 ms late on a 10 ms grid: the missed slots are granted now (a 20 ms stall used to
    // lose them for good), still capped by the window log.
    await new Promise((r) => setTimeout(r, 40));
    expect(await burst()).toBeGreaterThanOrEqual(3);
    // Idle far past the slack: the grid restarts, no burst credit.
    await new Promise((r) => setTimeout(r, 400));
    expect(await burst()).toBe(1);
  });

  it('a chat takes its limit per window, other chats are not held by it', async () => {
    // A global pace far above any round trip, so only the chat rules can refuse here.
    const limits: PacingLimits = {
      perSecond: 100_000,
      chat: (id) => ({ limit: id === 'g' ? 3 : 1, windowMs: 200 }),
    };
    const p = new SendPacer(connect(), pacerKey(prefix, 'TELEGRAM', 'token-b'), limits);
    // Taken before the grant, so the time since is at least the time since the grant (the
    // calls between may take long on a loaded machine).
    const before = Date.now();
    expect(await p.tryAcquire('u')).toMatchObject({ ok: true });
    const refused = await p.tryAcquire('u');
    expect(refused).toMatchObject({ ok: false, scope: 'chat' });
    expect((refused as { waitMs: number }).waitMs).toBeGreaterThan(150);
    expect(await p.tryAcquire('v')).toMatchObject({ ok: true });
    // A group-like rule: 3 at once, the fourth waits for the window.
    for (let i = 0; i < 3; i++) expect(await p.tryAcquire('g')).toMatchObject({ ok: true });
    expect(await p.tryAcquire('g')).toMatchObject({ ok: false, scope: 'chat' });
    expect(await p.acquire('u')).toMatchObject({ ok: true });
    // The window is stretched by the pace share: 200 / 0.985 ms.
    expect(Date.now() - before).toBeGreaterThanOrEqual(200);
  });

  it('a guard stops the grant when a flag is set, and reads a key with it', async () => {
    const r = connect();
    const limits: PacingLimits = { perSecond: 100_000, chat: () => ({ limit: 1, windowMs: 60_000 }) };
    const p = new SendPacer(r, pacerKey(prefix, 'TELEGRAM', 'token-g'), limits);
    const [sent, sending, parts] = [`${prefix}:g:sent`, `${prefix}:g:sending`, `${prefix}:g:parts`];
    const guard = { stop: [sent, sending] as [string, string], read: parts };
    const mark = { key: sending, ttlS: 60 };
    await r.set(parts, '2');
    expect(await p.acquire('c1', 1_000, mark, guard)).toMatchObject({ ok: true, read: '2' });
    // The mark was set with the grant: a second attempt stops on it, and takes no token.
    expect(await p.acquire('c2', 1_000, mark, guard)).toEqual({ ok: false, scope: 'stop', which: 1 });
    await r.set(sent, 'TELEGRAM');
    expect(await p.tryAcquire('c2', mark, guard)).toEqual({ ok: false, scope: 'stop', which: 0 });
    await r.del(sent, sending, parts);
    expect(await p.tryAcquire('c2', mark, guard)).toMatchObject({ ok: true, read: '' });
  });

  it('a 429 holds its chat, a global one pauses everything; unscoped ones turn global across 3 chats', async () => {
    const limits: PacingLimits = { perSecond: 100_000, chat: () => null };
    const p = new SendPacer(connect(), pacerKey(prefix, 'TELEGRAM', 'token-c'), limits);
    expect(await p.penalize(800, 'chat', 'a')).toBe('chat');
    expect(await p.tryAcquire('a')).toMatchObject({ ok: false, scope: 'chat' });
    expect(await p.tryAcquire('b')).toMatchObject({ ok: true });
    expect(await p.penalize(800, 'unknown', 'b')).toBe('unknown');
    expect(await p.penalize(800, 'unknown', 'c')).toBe('unknown');
    expect(await p.tryAcquire('z')).toMatchObject({ ok: true });
    // The third chat refused within a second: the platform's limit, not a chat's.
    expect(await p.penalize(800, 'unknown', 'd')).toBe('global');
    const paused = await p.tryAcquire('z');
    expect(paused).toMatchObject({ ok: false, scope: 'global' });
    expect((paused as { waitMs: number }).waitMs).toBeGreaterThan(600);

    const q = new SendPacer(connect(), pacerKey(prefix, 'DISCORD', 'token-d'), limits);
    await q.penalize(500, 'global');
    expect(await q.tryAcquire('x')).toMatchObject({ ok: false, scope: 'global' });
    expect(await q.acquire('x', 100)).toMatchObject({ ok: false, scope: 'global' });
    expect(await q.acquire('x')).toMatchObject({ ok: true });
  });

  it('keys the budget by a hash of the bot token, never the token itself', () => {
    const key = pacerKey('nd', 'TELEGRAM', '123456:AAsecret');
    expect(key).toMatch(/^nd:pace:telegram:[0-9a-f]{16}$/);
    expect(key).not.toContain('secret');
  });
});
