// What moderation needs from other parts, as narrow interfaces wired in the composition
// root: delivery for DMs (localized at send time, in each recipient's language), the chat
// platforms for case cards, and tickets for "escalate" and appeals.
import type { Platform } from '@prisma/client';
import type { LocalizedBlock } from '../core/queue';
import type { Reply } from '../core/reply';

/** A DM to a person, in their language; `dedupeKey` makes a retried send harmless. */
export interface CaseMessenger {
  sendToUser(
    userId: string,
    content: LocalizedBlock[],
    opts: { dedupeKey: string; kind: string },
  ): Promise<boolean>;
}

/** A posted card (same shape as the conversation port's MessageRef). */
export interface CardRef {
  platform: Platform;
  chatId: string;
  threadId?: string;
  messageId: string;
}

export type CardResult<T> = { ok: true; value: T } | { ok: false; kind: string; detail?: string };

/** Where cards go: the staff group's "Reports" topic and the Discord moderators' channel. */
export interface CardPort {
  /** Platforms with a moderators' place configured. */
  readonly platforms: readonly Platform[];
  /** Language the cards are written in (staff chats are shared; one language per platform). */
  locale(platform: Platform): 'en' | 'zh';
  post(platform: Platform, reply: Reply): Promise<CardResult<CardRef>>;
  edit(ref: CardRef, reply: Reply): Promise<CardResult<unknown>>;
}

export interface EscalationInput {
  caseId: string;
  caseRef: string;
  /** Who asked: the moderator (escalate) or the node owner (appeal). */
  requesterUserId: string;
  kind: 'escalation' | 'appeal';
  /** Plain summary for the ticket's context card: node ids in full, score, signals. */
  summary: string;
  nodeIds: string[];
}

/** Tickets (ticketing/): opens a ticket with the case attached, returns its reference. */
export interface CaseEscalator {
  open(input: EscalationInput): Promise<{ ok: true; ticketRef: string } | { ok: false; reason: string }>;
}

/**
 * A network's own verdict about one node, from the network sources (notifier/sources).
 * `nodeId` is the node id as the network shows it (the external id members type, e.g. an
 * io.net device id); `network` the source's name (`ionet`, `nosana`, …). `cleared` drops
 * that network's verdicts for the node (the device is no longer blocked).
 */
export interface NetworkVerdictInput {
  nodeId: string;
  network: string;
  verdict: 'blocked' | 'pow_failed' | 'antispoof_low' | 'cleared';
  at: Date | number;
}

/**
 * Stable entry point for the network sources (implemented by `Moderation`). Calling it
 * every poll with the same verdict is cheap and harmless. A `blocked` verdict opens a
 * "detected" case naming the node (or joins the node's open case); any change re-gathers
 * the evidence of the node's open case, where the verdict shows as a named signal.
 */
export interface NetworkVerdictSink {
  recordNetworkVerdict(v: NetworkVerdictInput): Promise<void>;
}
