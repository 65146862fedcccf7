// A request budget per credential, shared by every worker process through Redis: each
// limit is a sliding log (at most `limit` requests in any `windowMs`) plus a minimum
// spacing of windowMs/limit, so calls spread over the window instead of bursting at its
// start and then starving. A 429 closes the budget until its Retry-After (or a backoff).
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys as redisKeys } from '../../core/keys';

export interface RateLimitSpec {
  /** `overall` applies to every request; other names to requests of that kind. */
  name: string;
  limit: number;
  windowMs: number;
}

// KEYS: one log per limit, then the block key. ARGV: now, member, then (limit, window) per log.
// Returns 0 when the permit is taken, else how long (ms) until one may be.
const TAKE = `
local now = tonumber(ARGV[1])
local blocked = tonumber(redis.call('GET', KEYS[#KEYS]) or '0')
if blocked > now then return blocked - now end
local wait = 0
for i = 1, #KEYS - 1 do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now + 1)
  end
  local last = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
  if last[2] then
    local spacing = math.floor(window / limit)
    local gap = tonumber(last[2]) + spacing - now
    if gap > 0 then wait = math.max(wait, gap) end
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS - 1 do
  redis.call('ZADD', KEYS[i], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 + 2 * i]) + 1000)
end
return 0
`;

/**
 * Every window is counted this much longer than documented: the API counts arrivals, we
 * count departures, and latency jitter must not push a request into a full window.
 */
export const BUDGET_SAFETY_MS = 1_000;

type WithTake = Redis & { ndBudgetTake(...args: Array<string | number>): Promise<number> };

export class RequestBudget {
  private readonly redis: WithTake;
  private readonly k: ReturnType<typeof redisKeys>;
  private failures = 0;

  constructor(
    redis: Redis,
    prefix: string,
    /** Names the credential: the network, plus a token fingerprint when one is set. */
    readonly credential: string,
    readonly limits: RateLimitSpec[],
  ) {
    this.redis = redis as WithTake;
    // No numberOfKeys: the key count is the first argument (it varies with the request kind).
    if (typeof this.redis.ndBudgetTake !== 'function') redis.defineCommand('ndBudgetTake', { lua: TAKE });
    this.k = redisKeys(prefix);
  }

  private applicable(kind: string): RateLimitSpec[] {
    return this.limits.filter((l) => l.name === 'overall' || l.name === kind);
  }

  /** Takes one permit for a request of this kind at `now`; 0 = taken, else ms to wait. */
  async take(kind: string, now: number): Promise<number> {
    const limits = this.applicable(kind);
    const keys = [
      ...limits.map((l) => this.k.budgetLog(this.credential, l.name)),
      this.k.budgetBlocked(this.credential),
    ];
    const args: Array<string | number> = [now, `${now}-${crypto.randomBytes(4).toString('hex')}`];
    for (const l of limits) args.push(l.limit, l.windowMs + BUDGET_SAFETY_MS);
    return Number(await this.redis.ndBudgetTake(keys.length, ...keys, ...args));
  }

  /** Closes the budget after a 429: Retry-After when given, else 5 s doubling up to 5 min. */
  async backoff(now: number, retryAfterMs?: number): Promise<number> {
    this.failures++;
    const ms =
      retryAfterMs && retryAfterMs > 0 ? retryAfterMs : Math.min(300_000, 5_000 * 2 ** (this.failures - 1));
    await this.redis.set(this.k.budgetBlocked(this.credential), String(now + ms), 'PX', ms + 1000);
    return ms;
  }

  succeeded(): void {
    this.failures = 0;
  }

  /** Sustained requests per second of this kind the budget allows. */
  ratePerSecond(kind: string): number {
    return Math.min(...this.applicable(kind).map((l) => (l.limit * 1000) / (l.windowMs + BUDGET_SAFETY_MS)));
  }
}

/** A short, non-reversible name for a token, so two tokens get two budgets. */
export function credentialName(network: string, token?: string): string {
  return token
    ? `${network}:${crypto.createHash('sha256').update(token).digest('hex').slice(0, 12)}`
    : network;
}
