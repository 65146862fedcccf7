/** Telegram's flood limits for sending methods. */
export interface TelegramLimits {
  /** Messages per second across all chats (Telegram: about 30). */
  globalPerSecond: number;
  /** Sustained messages per second to one private chat (Telegram: 1). */
  privatePerSecond: number;
  /** Messages one private chat accepts at once before the per-second pace applies (Telegram tolerates short bursts). */
  privateBurst: number;
  /** Messages per minute to one group or supergroup (Telegram: 20). */
  groupPerMinute: number;
  /** Multiplies every window: 0.01 makes a "second" last 10 ms, so tests need not wait. */
  timeScale: number;
  /** Reported `retry_after` instead of the computed whole seconds (may be fractional for fast tests). */
  retryAfterSeconds?: number;
}

export const DEFAULT_LIMITS: TelegramLimits = {
  globalPerSecond: 30,
  privatePerSecond: 1,
  privateBurst: 3,
  groupPerMinute: 20,
  timeScale: 1,
};

/** Token bucket: `capacity` calls at once, refilled continuously at `perMs` tokens per millisecond. */
class Bucket {
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

export class RateLimiter {
  private limits: TelegramLimits | false;
  private global: Bucket | undefined;
  private readonly chats = new Map<number, Bucket>();

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
    const second = 1000 * l.timeScale;
    this.global ??= new Bucket(l.globalPerSecond, l.globalPerSecond / second, now);
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat =
        chatId < 0
          ? new Bucket(l.groupPerMinute, l.groupPerMinute / (60 * second), now)
          : new Bucket(Math.max(1, l.privateBurst), l.privatePerSecond / second, now);
      this.chats.set(chatId, chat);
    }
    const wait = Math.max(this.global.waitMs(now), chat.waitMs(now));
    if (wait > 0) return l.retryAfterSeconds ?? Math.max(1, Math.ceil(wait / 1000));
    this.global.take();
    chat.take();
    return undefined;
  }
}
