// Send pacing shared by every process of one bot token through Redis. Platforms count
// strictly: never more than the limit in ANY one-second window (a sliding window), so
// bursts that fit a fixed window still earn 429s. Sends are therefore spaced evenly, one
// token every 1/(0.985 × limit) s (a GCRA "theoretical arrival time" without burst
// tolerance), and each chat keeps a log of its last sends (sliding window per chat).
// The check happens at send time, not ahead: a process that stalls (GC, CPU starvation)
// and wakes late finds the grid moved on, instead of firing its reservations at once.
import { createHash, randomBytes } from 'node:crypto';
import type { Platform } from '@prisma/client';
import type { Redis } from 'ioredis';
import { ACQUIRE, PENALIZE, SETTLE, type WithPacing } from './pacing-scripts';
import { PACE, PLATFORM_PACING, type Grant, type Guard, type PacingLimits } from './pacing-types';

export {
  PACE,
  PLATFORM_PACING,
  type ChatRule,
  type Grant,
  type Guard,
  type PacingLimits,
  type SettleTicket,
} from './pacing-types';

/**
 * Two rules make a grant. The grid: one token per interval, and a caller that comes up to
 * CATCH_UP_MS late keeps the grid, so a herd of waiting senders or a loaded event loop
 * does not drift the rate down by its lateness on every token; an idle sender's next
 * token restarts the grid without burst credit. The logs: never more than
 * `limit` sends within a window, for the platform and for each chat, which caps every
 * window outright whatever the lateness pattern.
 *
 * A log dates each send by when its answer came back (see settle), not by its grant: a
 * request that left late (a stall between the grant and the write, on our side or in the
 * network) reached the platform at some time before its answer, never after. So whatever
 * the lateness, no window at the platform can hold more sends than a log allows (for any
 * window, the last send granted in it counted every other one, as each was answered after
 * that window opened). Until it is settled, a send counts at its grant plus
 * UNSETTLED_MS, the usual time to an answer, so a process that dies mid-send does
 * not hold the budget.
 */
const GLOBAL_WINDOW_MS = 1_001;
/**
 * How late a caller may be and still keep the grid: the tokens a stalled event loop missed
 * in that time are granted back to back when it wakes (at most 5 at Discord's rate, 3 at
 * Telegram's). With one interval of slack, a loop lagging more than 20 ms lost tokens for
 * good: a ticket relay at 45 msg/s got 37-40 Discord tokens a second out of 49. The logs
 * still cap every window, so catching up never exceeds the limit.
 */
const CATCH_UP_MS = 100;
const UNSETTLED_MS = 20;

/** Names grants uniquely across processes: a random process part and a counter. */
const PROCESS_TAG = randomBytes(6).toString('hex');
let grants = 0;

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
      redis.defineCommand('ndPaceAcquire', { numberOfKeys: 8, lua: ACQUIRE });
      redis.defineCommand('ndPacePenalize', { numberOfKeys: 3, lua: PENALIZE });
      redis.defineCommand('ndPaceSettle', { numberOfKeys: 2, lua: SETTLE });
    }
    this.interval = 1000 / (limits.perSecond * PACE);
  }

  private chatKeys(chatId: string | undefined): [string, string] {
    const c = chatId ?? '-';
    // `zlog`: sorted sets since sends are dated by their answers (the lists were `log`).
    return [`${this.base}:chat:${c}:zlog`, `${this.base}:chat:${c}:hold`];
  }

  /**
   * One token now, or how long to wait and why. Nothing is taken when refused. With
   * `mark`, that key is set (for `ttlS` seconds) in the same step as the grant; with
   * `guard`, nothing is taken when a stop key exists.
   */
  async tryAcquire(chatId?: string, mark?: { key: string; ttlS: number }, guard?: Guard): Promise<Grant> {
    const rule = chatId === undefined ? null : this.limits.chat(chatId);
    const [log, hold] = this.chatKeys(chatId);
    const none = `${this.base}:nomark`;
    const asked = Date.now();
    const askedAt = performance.now();
    const member = `${PROCESS_TAG}:${(grants = (grants + 1) % Number.MAX_SAFE_INTEGER)}`;
    // A chat's window is stretched by the same share as the global pace: 1 per 1.015 s.
    const [verdict, wait, next, read] = await this.redis.ndPaceAcquire(
      `${this.base}:global`,
      `${this.base}:zlog`,
      log,
      hold,
      mark?.key ?? none,
      guard?.stop[0] ?? none,
      guard?.stop[1] ?? none,
      guard?.read ?? none,
      this.interval,
      Math.max(this.interval, CATCH_UP_MS),
      Math.floor(this.limits.perSecond),
      GLOBAL_WINDOW_MS,
      rule?.limit ?? 0,
      rule ? rule.windowMs / PACE : 0,
      mark?.ttlS ?? 0,
      guard ? '1' : '0',
      member,
      UNSETTLED_MS,
    );
    if (verdict === 'stop') return { ok: false, scope: 'stop', which: wait === '1' ? 1 : 0 };
    if (verdict === 'ok') {
      // The answer left Redis about half a round trip ago: ask for the next token so that
      // the request lands when it is due (a little late keeps the grid, early costs a trip).
      const now = Date.now();
      this.nextAskAt = now + Number(next ?? 0) - (now - asked) / 2;
      return { ok: true, at: Number(wait), read: read ?? '', ticket: { member, chatLog: log, askedAt } };
    }
    return { ok: false, scope: verdict === 'chat' ? 'chat' : 'global', waitMs: Math.max(1, Number(wait)) };
  }

  /** When this process's next platform-wide token is due (local clock), from the last grant. */
  private nextAskAt = 0;

  /**
   * Waits for a token. Gives up (returning the refusal) when the next one is further than
   * `maxWaitMs` away, so a queue can park the job instead of holding a worker slot.
   * Callers of one process wait in line for the platform-wide token: one asks Redis when
   * the last grant said the next token is due, the rest queue behind it (no herd re-asking
   * on every token, no drift from its round trips). A chat wait is slept out of the line,
   * so other chats go ahead meanwhile.
   */
  async acquire(
    chatId?: string,
    maxWaitMs = Number.POSITIVE_INFINITY,
    mark?: { key: string; ttlS: number },
    guard?: Guard,
  ): Promise<Grant> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const g = await this.inLine(async () => {
        for (;;) {
          const due = this.nextAskAt - Date.now();
          if (Date.now() + due > deadline) return { ok: false, scope: 'global', waitMs: due } as const;
          if (due >= 1) await sleep(Math.floor(due));
          const r = await this.tryAcquire(chatId, mark, guard);
          if (r.ok || r.scope !== 'global' || Date.now() + r.waitMs > deadline) return r;
          await sleep(Math.ceil(r.waitMs));
        }
      });
      if (g.ok || g.scope === 'stop' || Date.now() + g.waitMs > deadline) return g;
      await sleep(Math.ceil(g.waitMs));
    }
  }

  private line: Promise<unknown> = Promise.resolve();

  private inLine<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.line.then(fn, fn);
    this.line = run.catch(() => undefined);
    return run;
  }

  /**
   * The platform answered a granted send (whatever the answer, or a failure to hear one):
   * it is dated in the logs by when the answer reached us, on Redis's clock. That date is
   * the grant's Redis time plus the local time elapsed since the grant was asked for: the
   * grant was stamped after it was asked, so this is never earlier than the answer (an
   * upper bound on when the send reached the platform), and it leaves out this call's own
   * delay and trip to Redis, which Redis's clock at settle time would add (a Telegram storm
   * ran at 29.0/s against a 29.55/s grid for it). Call it as the answer comes back. Dates
   * a grant once; never throws; an unsettled send keeps its provisional date.
   */
  async settle(grant: Grant): Promise<void> {
    if (!grant.ok || grant.ticket.settled) return;
    grant.ticket.settled = true;
    const answered = grant.at + (performance.now() - grant.ticket.askedAt);
    await this.redis
      .ndPaceSettle(`${this.base}:zlog`, grant.ticket.chatLog, grant.ticket.member, answered.toFixed(3))
      .catch(() => undefined);
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
