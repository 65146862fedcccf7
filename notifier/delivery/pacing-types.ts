// The pacing limits of each platform and the shapes SendPacer hands out (grants, tickets, guards):
// what callers read and pass, apart from how the pacer computes them.
import type { Platform } from '@prisma/client';

/**
 * Share of the platform limit the grid aims at. The logs (dated by answers, see below)
 * are what make every window safe whatever the jitter; this margin only keeps the grid
 * from running into them (at 0.97, before the logs were dated by answers, the margin had
 * to absorb jitter itself, and a 30 ms stall still earned 429s).
 */
export const PACE = 0.985;

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

/**
 * `at`: the grant's time on Redis's clock (ms), the one every process shares; `read`: the
 * guard's read key ('' when unset); `ticket`: what {@link SendPacer.settle} needs once
 * the platform answered. `stop`: a guard key was set (`which` names it).
 */
export type Grant =
  | { ok: true; at: number; read: string; ticket: SettleTicket }
  | { ok: false; scope: 'chat' | 'global'; waitMs: number }
  | { ok: false; scope: 'stop'; which: 0 | 1 };

/** One grant's entries in the send logs, to be dated by the platform's answer. */
export interface SettleTicket {
  member: string;
  chatLog: string;
  /** Local monotonic time (performance.now) just before the grant was asked for. */
  askedAt: number;
  /** Set by the first settle: a grant is dated once. */
  settled?: boolean;
}

/** Delivery's flags, checked with the grant: stop when either key exists, else read `read`. */
export interface Guard {
  stop: [string, string];
  read: string;
}
