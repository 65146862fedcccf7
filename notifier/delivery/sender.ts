// What delivery needs from a chat platform. Implementations live in bots/<platform>/sender.ts
// so that this folder never imports a chat library.
import type { Platform } from '@prisma/client';
import type { Reply } from '../../core/reply';

export type SendOutcome =
  /** `dmChatId`: the DM channel the sender opened, to remember on the identity (Discord). */
  | { ok: true; dmChatId?: string }
  /** The user blocked the bot or closed DMs (Telegram 403, Discord 50007): try another platform. */
  | { ok: false; kind: 'blocked'; detail: string }
  /** The platform asked us to wait; `scope` when it says (Discord), else the pacer guesses. */
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number; scope?: 'chat' | 'global' }
  /** 5xx, timeouts, network: retry with backoff. */
  | { ok: false; kind: 'transient'; detail: string }
  /** Will never work as is (bad request, unknown chat). */
  | { ok: false; kind: 'permanent'; detail: string };

/**
 * A long reply goes out in several messages. A retry after part 2 failed starts at part 2:
 * `fromPart` skips what went out, `onPart(i)` records each part as it is accepted.
 */
export interface PartProgress {
  fromPart?: number;
  /** Awaited before each part goes out: delivery takes a pacing token per request here. */
  beforePart?: (index: number) => Promise<void>;
  /**
   * Awaited before a request that is not a part (Discord: opening a DM channel): it counts
   * against the platform's limit like any other, so it takes a token too.
   */
  beforeRequest?: () => Promise<void>;
  onPart?: (index: number) => Promise<void>;
}

export interface PlatformSender {
  platform: Platform;
  /** `to` is the identity's platform user id; the sender finds or opens the DM. */
  send(
    to: { platformUserId: string; dmChatId: string | null },
    reply: Reply,
    progress?: PartProgress,
  ): Promise<SendOutcome>;
  /** A message to a staff channel or group (Telegram chat id, Discord channel id). */
  sendToChannel(channelId: string, reply: Reply): Promise<SendOutcome>;
}
