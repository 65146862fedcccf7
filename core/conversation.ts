// The platform-neutral conversation port: where a message goes (a target), what comes back
// (a storable message reference), and the operations staff features need (threads/topics,
// edit in place, close, files). bots/<platform>/conversation.ts implement it; features, the
// workers and delivery call it. No chat library is imported here. See docs/architecture.md
// "The conversation port".
import type { Attachment, Reply } from './reply';

export type ChatPlatform = 'TELEGRAM' | 'DISCORD';

/**
 * A posted message, enough to edit or delete it later (store it as JSON).
 * - Telegram: `chatId` = chat id; `threadId` = forum topic `message_thread_id`; `messageId` = message_id.
 * - Discord: `chatId` = channel id (the parent channel for a thread, or the DM channel);
 *   `threadId` = thread channel id; `messageId` = message snowflake.
 */
export interface MessageRef {
  platform: ChatPlatform;
  chatId: string;
  threadId?: string;
  messageId: string;
}

/** A Discord thread or a Telegram forum topic. Same meaning of the fields as in MessageRef. */
export interface ThreadRef {
  platform: ChatPlatform;
  chatId: string;
  threadId: string;
}

export type Visibility = 'visible' | 'ephemeral';

export type Target =
  /** A person's private chat with the bot (Telegram: the user id works as chat id; Discord: opened on demand). */
  | { kind: 'dm'; platform: ChatPlatform; platformUserId: string; dmChatId?: string | null }
  /** A staff channel or group (Telegram chat id, Discord channel id). */
  | { kind: 'channel'; platform: ChatPlatform; chatId: string }
  /** A thread or topic (see ThreadRef). */
  | ({ kind: 'thread' } & ThreadRef)
  /**
   * In answer to the interaction being handled (a slash command, button press, modal submit).
   * Only valid inside a handler: it is the handler context's `here`. Ephemeral = only the
   * user sees it (Discord); Telegram has no ephemeral messages, so a private reply asked in a
   * group goes to the user's DM instead.
   */
  | { kind: 'interaction'; platform: ChatPlatform; interactionId: string; visibility: Visibility };

export interface OpenThreadSpec {
  /** Telegram: the forum supergroup id; Discord: the text channel that holds the thread. */
  parentChatId: string;
  /** Topic/thread name (≤ 100 characters on Discord, ≤ 128 on Telegram; the port cuts longer ones). */
  name: string;
  /** Discord: users added to the private thread. Telegram topics are visible to the whole group. */
  memberPlatformUserIds?: string[];
  /** Discord: private thread (default true); Telegram ignores it. */
  private?: boolean;
}

export interface CloseThreadOptions {
  /** Discord: archive the thread (default true); Telegram: closeForumTopic (always). */
  archive?: boolean;
  /** Discord: lock it so only moderators can reopen. */
  lock?: boolean;
  /** Rename while closing (e.g. "✔ #42 …"). */
  rename?: string;
}

/** How an outbound call ended; same kinds as delivery's outcomes so one retry policy fits all. */
export type PortResult<T> =
  | { ok: true; value: T }
  /** The user blocked the bot or closed DMs. */
  | { ok: false; kind: 'blocked'; detail: string }
  /** The platform still asks us to wait after the port's own retries. */
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number }
  /** 5xx / network after the port's retries. */
  | { ok: false; kind: 'transient'; detail: string }
  /** Will never work as is (unknown chat, message too old to edit, missing permission). */
  | { ok: false; kind: 'permanent'; detail: string };

/**
 * Outbound operations on one platform or both (the implementation routes by `platform`).
 * Every call goes through delivery's limits (per platform and per chat) and retries
 * transient failures and 429s honouring `retry_after` before it reports a failure.
 */
export interface ConversationPort {
  /** Creates a forum topic (Telegram createForumTopic) or a thread (Discord, private by default). */
  openThread(platform: ChatPlatform, spec: OpenThreadSpec): Promise<PortResult<ThreadRef>>;
  /**
   * Posts a reply. A reply too long for one message goes out in parts; the reference names
   * the last part (the one carrying the buttons), which is what a card edit wants.
   */
  post(target: Target, reply: Reply): Promise<PortResult<MessageRef>>;
  /** Replaces a posted message's text and buttons in place (one message, never a second one). */
  edit(ref: MessageRef, reply: Reply): Promise<PortResult<MessageRef>>;
  /** Closes a topic (closeForumTopic) or archives/locks a thread. */
  closeThread(ref: ThreadRef, opts?: CloseThreadOptions): Promise<PortResult<void>>;
  /** Sends a file (a transcript, a chart) with an optional caption. */
  sendFile(target: Target, file: Attachment, caption?: string): Promise<PortResult<MessageRef>>;
}

export const threadOf = (ref: MessageRef): ThreadRef | null =>
  ref.threadId ? { platform: ref.platform, chatId: ref.chatId, threadId: ref.threadId } : null;
