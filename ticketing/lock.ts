// A short per-ticket lock in Redis: one worker at a time relays a ticket's messages, so
// they reach the other side in the order they were written. The lock is renewed while its
// holder runs: an effect can wait minutes on a Telegram staff group's 20 messages/min, and
// a lock that lapsed meanwhile let a second worker relay the same messages again.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

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
    // Renewed at a third of the TTL; a process that dies stops renewing and the lock lapses.
    const renew = setInterval(
      () => {
        void this.redis.eval(RENEW, 1, key, token, String(this.ttlMs)).catch(() => 0);
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    renew.unref();
    try {
      return { locked: false, value: await fn() };
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE, 1, key, token).catch(() => 0);
    }
  }
}
