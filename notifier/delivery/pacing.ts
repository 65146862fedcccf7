// Send pacing shared by every process of one bot token through Redis. Platforms count
// strictly: never more than the limit in ANY one-second window (a sliding window), so
// bursts that fit a fixed window still earn 429s. Sends are therefore spaced evenly, one
// token every 1/(0.97 × limit) s (a GCRA "theoretical arrival time" without burst
// tolerance), and each chat keeps a log of its last sends (sliding window per chat).
// The check happens at send time, not ahead: a process that stalls (GC, CPU starvation)
// and wakes late finds the grid moved on, instead of firing its reservations at once.
import { createHash } from 'node:crypto';
import type { Platform } from '@prisma/client';
import type { Redis } from 'ioredis';

/** Share of the platform limit we aim at; the rest absorbs jitter between us and them. */
export const PACE = 0.97;

export interface ChatRule {
  /** Sends allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
}

export interface PacingLimits {
  /** Sends per second for the whole bot token. */
  perSecond: number;
  /** The rule for one chat, or null when the platform has none we need to pace. */
  chat(chatId: string): ChatRule | null;
}

export const PLATFORM_PACING: Record<Platform, PacingLimits> = {
  // Telegram: ~30 messages/s overall, 1/s per private chat, 20/min per group (negative ids).
  TELEGRAM: {
    perSecond: 30,
    chat: (id) => (id.startsWith('-') ? { limit: 20, windowMs: 60_000 } : { limit: 1, windowMs: 1_000 }),
  },
  // Discord: 50 requests/s global; per-channel buckets are followed by @discordjs/rest.
  DISCORD: { perSecond: 50, chat: () => null },
};

export type Grant = { ok: true } | { ok: false; scope: 'chat' | 'global'; waitMs: number };

/**
 * Grid slack: a caller that arrives up to this late keeps the grid, so the herd of waiting
 * senders (and a loaded event loop) does not drift the rate down by its lateness on every
 * token. It cannot let more than the limit through: n+1 grants span at least
 * n × interval − slack, and with the interval at 1/(0.97 × limit) s any slack under
 * 1000/0.97 − 1000 ≈ 30.9 ms keeps every one-second window at ≤ limit, whatever the limit.
 * What is left (~11 ms) absorbs differences in the time a request takes to reach them.
 */
const SLACK_MS = 20;

// KEYS: global TAT, chat log (list, newest first), chat hold (a 429's retry_after).
// ARGV: interval ms, slack ms, chat limit (0 = no chat rule), chat window ms.
// Redis's own clock, so every process agrees on "now".
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local limit = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local hold = tonumber(redis.call('GET', KEYS[3]) or '0')
if hold > now then return {'chat', string.format('%.3f', hold - now)} end
if limit > 0 then
  if redis.call('LLEN', KEYS[2]) >= limit then
    local free = tonumber(redis.call('LINDEX', KEYS[2], limit - 1)) + window
    if free > now then return {'chat', string.format('%.3f', free - now)} end
  end
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat > now then return {'global', string.format('%.3f', tat - now)} end
local interval = tonumber(ARGV[1])
local nextTat = math.max(tat, now - tonumber(ARGV[2])) + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', 600000)
if limit > 0 then
  redis.call('LPUSH', KEYS[2], string.format('%.3f', now))
  redis.call('LTRIM', KEYS[2], 0, limit - 1)
  redis.call('PEXPIRE', KEYS[2], math.ceil(window) + 1000)
end
return {'ok', '0'}
`;

// KEYS: global TAT, chat hold, recent 429 chats (zset). ARGV: ms, scope, chat id, spread.
// A 429 that does not say its scope (Telegram's never do) holds its chat; when several
// chats get one within a second, it is the platform's limit and everything pauses.
const PENALIZE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local untilMs = now + tonumber(ARGV[1])
local scope = ARGV[2]
if scope ~= 'global' and ARGV[3] ~= '' then
  local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
  if untilMs > hold then
    redis.call('SET', KEYS[2], string.format('%.3f', untilMs), 'PX', math.ceil(tonumber(ARGV[1])) + 1000)
  end
end
if scope == 'unknown' and ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 1000)
  redis.call('PEXPIRE', KEYS[3], 2000)
  if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[4]) then scope = 'global' end
end
if scope == 'global' then
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if untilMs > tat then redis.call('SET', KEYS[1], string.format('%.3f', untilMs), 'PX', 600000) end
end
return scope
`;

type WithPacing = Redis & {
  ndPaceAcquire(...args: Array<string | number>): Promise<[string, string]>;
  ndPacePenalize(...args: Array<string | number>): Promise<string>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SendPacer {
  private readonly redis: WithPacing;
  private readonly interval: number;

  /** `base`: the Redis key of this budget; {@link pacerKey} builds it from the bot token. */
  constructor(
    redis: Redis,
    private readonly base: string,
    private readonly limits: PacingLimits,
  ) {
    this.redis = redis as WithPacing;
    if (typeof this.redis.ndPaceAcquire !== 'function') {
      redis.defineCommand('ndPaceAcquire', { numberOfKeys: 3, lua: ACQUIRE });
      redis.defineCommand('ndPacePenalize', { numberOfKeys: 3, lua: PENALIZE });
    }
    this.interval = 1000 / (limits.perSecond * PACE);
  }

  private chatKeys(chatId: string | undefined): [string, string] {
    const c = chatId ?? '-';
    return [`${this.base}:chat:${c}:log`, `${this.base}:chat:${c}:hold`];
  }

  /** One token now, or how long to wait and why. Nothing is taken when refused. */
  async tryAcquire(chatId?: string): Promise<Grant> {
    const rule = chatId === undefined ? null : this.limits.chat(chatId);
    const [log, hold] = this.chatKeys(chatId);
    // A chat's window is stretched by the same share as the global pace: 1 per 1.03 s.
    const [verdict, wait] = await this.redis.ndPaceAcquire(
      `${this.base}:global`,
      log,
      hold,
      this.interval,
      SLACK_MS,
      rule?.limit ?? 0,
      rule ? rule.windowMs / PACE : 0,
    );
    if (verdict === 'ok') return { ok: true };
    return { ok: false, scope: verdict === 'chat' ? 'chat' : 'global', waitMs: Math.max(1, Number(wait)) };
  }

  /**
   * Waits for a token. Gives up (returning the refusal) when the next one is further than
   * `maxWaitMs` away, so a queue can park the job instead of holding a worker slot.
   */
  async acquire(chatId?: string, maxWaitMs = Number.POSITIVE_INFINITY): Promise<Grant> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const g = await this.tryAcquire(chatId);
      if (g.ok || Date.now() + g.waitMs > deadline) return g;
      await sleep(Math.ceil(g.waitMs));
    }
  }

  /**
   * A 429: `chat` holds that chat, `global` pauses the whole budget, `unknown` holds the
   * chat and turns global when 3 chats were refused within a second. Returns the scope applied.
   */
  async penalize(
    retryAfterMs: number,
    scope: 'chat' | 'global' | 'unknown',
    chatId?: string,
  ): Promise<'chat' | 'global' | 'unknown'> {
    const [, hold] = this.chatKeys(chatId);
    const applied = await this.redis.ndPacePenalize(
      `${this.base}:global`,
      hold,
      `${this.base}:recent429`,
      Math.max(0, retryAfterMs),
      scope,
      chatId ?? '',
      3,
    );
    return applied as 'chat' | 'global' | 'unknown';
  }
}

/** The budget key of one bot token (hashed: tokens never reach Redis in clear). */
export function pacerKey(prefix: string, platform: Platform, token: string): string {
  const id = createHash('sha256').update(token).digest('hex').slice(0, 16);
  return `${prefix}:pace:${platform.toLowerCase()}:${id}`;
}

export function pacerFor(redis: Redis, prefix: string, platform: Platform, token: string): SendPacer {
  return new SendPacer(redis, pacerKey(prefix, platform, token), PLATFORM_PACING[platform]);
}
