import { createHash } from 'node:crypto';

export interface BucketLimit {
  limit: number;
  windowMs: number;
}

/**
 * Per-route buckets, keyed by the route's top-level resource (channel, guild, webhook
 * token, interaction) like Discord does. Values follow Discord's published or observed
 * limits where known; each route keeps its own bucket so that @discordjs/rest, which
 * queues per route until it learns the bucket hash, never trips over a shared one.
 */
export const DEFAULT_BUCKETS = {
  'channel-messages-create': { limit: 5, windowMs: 5_000 },
  'channel-messages-edit': { limit: 5, windowMs: 5_000 },
  'channel-messages-delete': { limit: 5, windowMs: 1_000 },
  'channel-messages-read': { limit: 50, windowMs: 1_000 },
  'channel-read': { limit: 50, windowMs: 1_000 },
  'channel-edit': { limit: 10, windowMs: 10_000 },
  'channel-typing': { limit: 5, windowMs: 5_000 },
  'threads-create': { limit: 10, windowMs: 10_000 },
  'thread-members': { limit: 10, windowMs: 1_000 },
  'dm-create': { limit: 50, windowMs: 1_000 },
  commands: { limit: 10, windowMs: 10_000 },
  'interaction-callback': { limit: 5, windowMs: 1_000 },
  webhook: { limit: 5, windowMs: 1_000 },
  'guild-read': { limit: 50, windowMs: 1_000 },
  'guild-edit': { limit: 10, windowMs: 10_000 },
  default: { limit: 50, windowMs: 1_000 },
} satisfies Record<string, BucketLimit>;

export type BucketName = keyof typeof DEFAULT_BUCKETS;

export type LimitsOption =
  | false
  | {
      /** Requests per second for the whole bot (interaction endpoints are exempt); `false` turns it off. Default 50. */
      globalPerSecond?: number | false;
      /**
       * `sliding` (default): never more than `globalPerSecond` in ANY one-second window, the
       * strict reading. `bucket`: a token bucket holding two seconds' worth, which forgives
       * clients that count fixed windows (two full windows back to back).
       */
      globalMode?: 'sliding' | 'bucket';
      /** Multiplies every bucket window, e.g. 0.02 turns 5 per 5 s into 5 per 100 ms for fast tests. */
      windowScale?: number;
      /** Replace single buckets; `false` removes the limit (and its headers) for that route. */
      buckets?: Partial<Record<BucketName, BucketLimit | false>>;
    };

export type Verdict =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string>; retryAfter: number; global: boolean };

interface Window {
  count: number;
  resetAt: number;
}

const seconds = (ms: number) => String(Math.max(0, Math.round(ms) / 1000));

export class RateLimiter {
  private readonly buckets: Map<BucketName, BucketLimit>;
  private readonly globalPerSecond: number | false;
  private readonly windows = new Map<string, Window>();
  private readonly globalMode: 'sliding' | 'bucket';
  private tokens = 0;
  private refilledAt = Date.now();
  /** Sliding mode: times of the global requests of the last second, oldest first. */
  private readonly recent: number[] = [];

  constructor(option: LimitsOption | undefined) {
    this.buckets = new Map();
    if (option === false) {
      this.globalPerSecond = false;
      this.globalMode = 'sliding';
      return;
    }
    this.globalMode = option?.globalMode ?? 'sliding';
    this.globalPerSecond = option?.globalPerSecond ?? 50;
    const scale = option?.windowScale ?? 1;
    for (const [name, def] of Object.entries(DEFAULT_BUCKETS) as [BucketName, BucketLimit][]) {
      const chosen = option?.buckets?.[name] ?? def;
      if (chosen)
        this.buckets.set(name, { limit: chosen.limit, windowMs: Math.max(1, chosen.windowMs * scale) });
    }
    this.tokens = this.burst;
  }

  /** Sliding mode: how long until one more global request fits (0 = now). */
  private slidingWaitMs(now: number): number {
    while (this.recent.length && this.recent[0]! <= now - 1_000) this.recent.shift();
    return this.recent.length < (this.globalPerSecond || Infinity) ? 0 : this.recent[0]! + 1_000 - now;
  }

  private countGlobal(now: number): void {
    if (this.globalMode === 'sliding') this.recent.push(now);
    else this.tokens -= 1;
  }

  /**
   * Bucket mode: the global limit is a token bucket refilled at `globalPerSecond` that holds two
   * seconds' worth: @discordjs/rest counts fixed one-second windows from its own send
   * times, so a compliant client may legally send a full window at the end of one
   * second and another at the start of the next; a plain per-second counter here would
   * answer 429s that the client could never have avoided.
   */
  private get burst(): number {
    return this.globalPerSecond === false ? 0 : this.globalPerSecond * 2;
  }

  take(bucket: BucketName, major: string, countsGlobally: boolean, now = Date.now()): Verdict {
    if (countsGlobally && this.globalPerSecond !== false) {
      const rate = this.globalPerSecond / 1000;
      let waitMs: number;
      if (this.globalMode === 'sliding') waitMs = this.slidingWaitMs(now);
      else {
        this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * rate);
        this.refilledAt = now;
        waitMs = this.tokens < 1 ? (1 - this.tokens) / rate : 0;
      }
      if (waitMs > 0) {
        const retryAfter = waitMs / 1000;
        return {
          ok: false,
          global: true,
          retryAfter,
          headers: {
            'Retry-After': seconds(retryAfter * 1000),
            'X-RateLimit-Global': 'true',
            'X-RateLimit-Scope': 'global',
          },
        };
      }
    }
    const def = this.buckets.get(bucket);
    if (!def) {
      if (countsGlobally && this.globalPerSecond !== false) this.countGlobal(now);
      return { ok: true, headers: {} };
    }
    const key = `${bucket}:${major}`;
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + def.windowMs };
      this.windows.set(key, w);
    }
    const limited = w.count >= def.limit;
    if (!limited) {
      w.count += 1;
      if (countsGlobally && this.globalPerSecond !== false) this.countGlobal(now);
    }
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(def.limit),
      'X-RateLimit-Remaining': String(def.limit - w.count),
      'X-RateLimit-Reset': seconds(w.resetAt),
      'X-RateLimit-Reset-After': seconds(w.resetAt - now),
      'X-RateLimit-Bucket': bucketHash(bucket),
    };
    if (!limited) return { ok: true, headers };
    const retryAfter = (w.resetAt - now) / 1000;
    // Retry-After is sent with millisecond precision (Discord rounds up to whole seconds)
    // so that tests with tiny windows do not wait a full second per 429.
    return {
      ok: false,
      global: false,
      retryAfter,
      headers: { ...headers, 'Retry-After': seconds(w.resetAt - now), 'X-RateLimit-Scope': 'user' },
    };
  }
}

export function bucketHash(bucket: string): string {
  return createHash('md5').update(`nodedesk-sandbox:${bucket}`).digest('hex');
}
