// A short per-ticket lock in Redis: one worker at a time relays a ticket's messages, so
// they reach the other side in the order they were written.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class TicketLocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 30_000,
  ) {}

  /** Runs `fn` under the ticket's lock; returns `locked` when another worker holds it. */
  async with<T>(
    ticketId: string,
    fn: () => Promise<T>,
  ): Promise<{ locked: true } | { locked: false; value: T }> {
    const key = `${this.prefix}:ticket-lock:${ticketId}`;
    const token = crypto.randomBytes(8).toString('hex');
    const ok = await this.redis.set(key, token, 'PX', this.ttlMs, 'NX');
    if (!ok) return { locked: true };
    try {
      return { locked: false, value: await fn() };
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => 0);
    }
  }
}
