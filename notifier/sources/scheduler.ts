// Which watched devices a network source visits next. Two queues in Redis, each a sorted
// set scored by when the device is due: "hot" devices (just added, down or turning down,
// changed state recently) are visited first at the full poll interval; "cold" ones (stable)
// share whatever budget is left, so under a tight budget their interval stretches first.
import type { Redis } from 'ioredis';
import { keys } from '../../core/keys';
import type { WatchedNode } from './types';

/** A state change keeps a device hot this long (a relaunch, API lag settling). */
export const HOT_AFTER_CHANGE_MS = 10 * 60_000;
/** A device down longer than this goes cold: dead rigs must not eat the budget. */
export const HOT_WHILE_DOWN_MS = 60 * 60_000;

export class DeviceScheduler {
  readonly hot: string;
  readonly cold: string;
  /** node id → "rawState changedAtMs" */
  readonly last: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    network: string,
  ) {
    const k = keys(prefix);
    this.hot = k.netsrcScheduler(network, 'hot');
    this.cold = k.netsrcScheduler(network, 'cold');
    this.last = k.netsrcScheduler(network, 'last');
  }

  /** Aligns the queues with the watched list: new devices are due at once, in the hot queue. */
  async sync(watched: WatchedNode[]): Promise<{ added: number; removed: number }> {
    const [hot, cold] = await Promise.all([
      this.redis.zrange(this.hot, 0, -1),
      this.redis.zrange(this.cold, 0, -1),
    ]);
    const known = new Set([...hot, ...cold]);
    const want = new Set(watched.map((w) => w.id));
    const added = watched.filter((w) => !known.has(w.id)).map((w) => w.id);
    const removed = [...known].filter((id) => !want.has(id));
    const m = this.redis.multi();
    for (let i = 0; i < added.length; i += 1_000)
      m.zadd(this.hot, 'NX', ...added.slice(i, i + 1_000).flatMap((id) => [0, id]));
    for (let i = 0; i < removed.length; i += 1_000) {
      const chunk = removed.slice(i, i + 1_000);
      m.zrem(this.hot, ...chunk)
        .zrem(this.cold, ...chunk)
        .hdel(this.last, ...chunk);
    }
    if (added.length || removed.length) await m.exec();
    return { added: added.length, removed: removed.length };
  }

  /** Up to `n` devices due at `now`, hot ones first, each queue oldest-due first. */
  async due(now: number, n: number): Promise<string[]> {
    const hot = await this.redis.zrangebyscore(this.hot, '-inf', now, 'LIMIT', 0, n);
    if (hot.length >= n) return hot;
    const cold = await this.redis.zrangebyscore(this.cold, '-inf', now, 'LIMIT', 0, n - hot.length);
    return [...hot, ...cold];
  }

  /**
   * Schedules the next visit after one at `now`. Returns whether the device is hot.
   * `down` = the network reports it down (or turning down).
   */
  async visited(id: string, rawState: string, down: boolean, now: number, everyMs: number): Promise<boolean> {
    const prev = await this.redis.hget(this.last, id);
    const [prevState, prevAt] = prev
      ? [prev.slice(0, prev.lastIndexOf(' ')), Number(prev.slice(prev.lastIndexOf(' ') + 1))]
      : [null, 0];
    // A first visit is not a change: a new device is visited first once (it enters at score
    // 0), then only stays hot if it is down.
    const changedAt = prevState === null ? now - HOT_AFTER_CHANGE_MS : prevState === rawState ? prevAt : now;
    const since = now - changedAt;
    const hot = since < HOT_AFTER_CHANGE_MS || (down && since < HOT_WHILE_DOWN_MS);
    const m = this.redis.multi().hset(this.last, id, `${rawState} ${changedAt}`);
    if (hot) m.zrem(this.cold, id).zadd(this.hot, now + everyMs, id);
    else m.zrem(this.hot, id).zadd(this.cold, now + everyMs, id);
    await m.exec();
    return hot;
  }

  /** Makes a device due at once, first in line (an ownership check waits on its next poll). */
  async bump(id: string): Promise<void> {
    await this.redis.multi().zrem(this.cold, id).zadd(this.hot, 0, id).exec();
  }

  /** A device that could not be visited (no budget, API trouble) stays due, in its queue. */
  async counts(): Promise<{ hot: number; cold: number }> {
    const [hot, cold] = await Promise.all([this.redis.zcard(this.hot), this.redis.zcard(this.cold)]);
    return { hot, cold };
  }
}
