/** Telegram's flood limits for sending methods. */
export interface TelegramLimits {
  /**
   * `sliding` (default): never more than the limit in ANY window (one second overall and per
   * private chat, one minute per group), the strict reading a platform may apply: bursts that
   * fit fixed windows still get 429s. `bucket`: token buckets that forgive short bursts.
   */
  mode: 'sliding' | 'bucket';
  /** Messages per second across all chats (Telegram: about 30). */
  globalPerSecond: number;
  /** Sustained messages per second to one private chat (Telegram: 1). */
  privatePerSecond: number;
  /** Bucket mode: messages one private chat accepts at once before the per-second pace applies. */
  privateBurst: number;
  /** Messages per minute to one group or supergroup (Telegram: 20). */
  groupPerMinute: number;
  /** Multiplies every window: 0.01 makes a "second" last 10 ms, so tests need not wait. */
  timeScale: number;
  /** Reported `retry_after` instead of the computed whole seconds (may be fractional for fast tests). */
  retryAfterSeconds?: number;
}

export const DEFAULT_LIMITS: TelegramLimits = {
  mode: 'sliding',
  globalPerSecond: 30,
  privatePerSecond: 1,
  privateBurst: 3,
  groupPerMinute: 20,
  timeScale: 1,
};

interface Gate {
  /** Milliseconds until one more call is allowed (0 = now). */
  waitMs(now: number): number;
  take(now: number): void;
}

/** At most `limit` calls in any window of `windowMs` (a log of the last `limit` call times). */
class SlidingWindow implements Gate {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  waitMs(now: number): number {
    while (this.times.length && this.times[0]! <= now - this.windowMs) this.times.shift();
    return this.times.length < this.limit ? 0 : this.times[0]! + this.windowMs - now;
  }

  take(now: number): void {
    this.times.push(now);
  }
}

/** Token bucket: `capacity` calls at once, refilled continuously at `perMs` tokens per millisecond. */
class Bucket implements Gate {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Milliseconds until one token is available (0 = now). */
  waitMs(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    // The epsilon absorbs float error (20/60000 per ms times 3000 ms is 0.999…).
    return this.tokens >= 1 - 1e-9 ? 0 : (1 - this.tokens) / this.perMs;
  }

  take(): void {
    this.tokens -= 1;
  }
}

function gateFor(l: TelegramLimits, chatId: number | 'global', now: number): Gate {
  const second = 1000 * l.timeScale;
  if (l.mode === 'sliding') {
    if (chatId === 'global') return new SlidingWindow(l.globalPerSecond, second);
    return chatId < 0
      ? new SlidingWindow(l.groupPerMinute, 60 * second)
      : new SlidingWindow(l.privatePerSecond, second);
  }
  if (chatId === 'global') return new Bucket(l.globalPerSecond, l.globalPerSecond / second, now);
  return chatId < 0
    ? new Bucket(l.groupPerMinute, l.groupPerMinute / (60 * second), now)
    : new Bucket(Math.max(1, l.privateBurst), l.privatePerSecond / second, now);
}

export class RateLimiter {
  private limits: TelegramLimits | false;
  private global: Gate | undefined;
  private readonly chats = new Map<number, Gate>();

  constructor(limits: Partial<TelegramLimits> | false | undefined) {
    this.limits = false;
    this.configure(limits);
  }

  configure(limits: Partial<TelegramLimits> | false | undefined): void {
    this.limits = limits === false ? false : { ...DEFAULT_LIMITS, ...limits };
    this.global = undefined;
    this.chats.clear();
  }

  /**
   * Counts one sending call to `chatId` (negative ids are groups) and returns the
   * retry_after to report when a limit is exceeded; nothing is counted then.
   */
  hit(chatId: number, now = Date.now()): number | undefined {
    const l = this.limits;
    if (!l) return undefined;
    this.global ??= gateFor(l, 'global', now);
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = gateFor(l, chatId, now);
      this.chats.set(chatId, chat);
    }
    const wait = Math.max(this.global.waitMs(now), chat.waitMs(now));
    if (wait > 0) return l.retryAfterSeconds ?? Math.max(1, Math.ceil(wait / 1000));
    this.global.take(now);
    chat.take(now);
    return undefined;
  }
}
