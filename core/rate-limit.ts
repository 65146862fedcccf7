// Per-key rate limits in Redis (rate-limiter-flexible), shared by every process.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { keys } from './keys';

export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export class RateLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, opts: { prefix: string; name: string; points: number; durationSeconds: number }) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys(opts.prefix).rateLimit(opts.name),
      points: opts.points,
      duration: opts.durationSeconds,
    });
  }

  async consume(key: string, points = 1): Promise<LimitResult> {
    try {
      await this.limiter.consume(key, points);
      return { ok: true };
    } catch (err) {
      if (err instanceof RateLimiterRes)
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      throw err;
    }
  }
}
