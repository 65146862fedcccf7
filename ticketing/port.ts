// What the ticket feature needs from the chat platforms: staff-side threads/topics and the
// user's DM. Adapted onto the conversation port in the composition root, so this folder
// never imports a chat library. Every call reports the platform's answer as an outcome
// (never throws for a platform refusal); retries and pacing are the effects worker's job.
import type { Platform } from '@prisma/client';
import type { Reply } from '../core/reply';
import type { HomeRef } from './home';

/** A message we posted, so it can be edited in place later. */
export interface PostedRef {
  platform: Platform;
  chatId: string;
  messageId: string;
  threadId?: string;
}

export type PortOutcome<T> =
  | { ok: true; value: T }
  /** The user blocked the bot or closed DMs. */
  | { ok: false; kind: 'blocked'; detail: string }
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number }
  | { ok: false; kind: 'transient'; detail: string }
  | { ok: false; kind: 'permanent'; detail: string };

export interface OpenThreadInput {
  name: string;
  /** Discord: members to add to the private thread (the user, when the ticket is on Discord). */
  addUserIds?: string[];
  guildId?: string | null;
}

export interface UserTarget {
  platform: Platform;
  platformUserId: string;
  dmChatId: string | null;
}

export interface TicketPort {
  /** Platforms with a staff place (Telegram staff chat with topics, Discord support channel). */
  readonly staffPlaces: Set<Platform>;
  openThread(platform: Platform, input: OpenThreadInput): Promise<PortOutcome<HomeRef>>;
  /** Posts in a ticket's thread/topic. `pingStaff` mentions the staff roles (SLA warnings only; never from user text). */
  postHome(ref: HomeRef, reply: Reply, opts?: { pingStaff?: boolean }): Promise<PortOutcome<PostedRef>>;
  sendUser(to: UserTarget, reply: Reply): Promise<PortOutcome<PostedRef>>;
  edit(ref: PostedRef, reply: Reply): Promise<PortOutcome<void>>;
  /** Closes a topic / archives and locks a thread (`closed=false` reopens it). */
  setThreadClosed(ref: HomeRef, closed: boolean): Promise<PortOutcome<void>>;
  /** The staff log (transcripts): a log topic in the staff chat, the log channel on Discord. */
  postLog(platform: Platform, reply: Reply): Promise<PortOutcome<PostedRef>>;
}
