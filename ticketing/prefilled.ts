// Prefilled tickets for other features, one stable entry point each:
// - `openPrefilled`: a ticket opened on a user's behalf (a moderation case escalated or
//   appealed), with the category, the description and what it is attached to;
// - `caseEscalator`: the moderation CaseEscalator port on top of it;
// - `TicketOffers`: a button that starts a ticket with a text already filled in (the
//   assistant's "I don't know" offer). The text is kept in Redis under a short id, because a
//   button's data holds 64 bytes and a question is longer.
import crypto from 'node:crypto';
import type { Platform, PrismaClient, Ticket } from '@prisma/client';
import type { Redis } from 'ioredis';
import type { Actor } from './actor';
import { isTicketError, type TicketErrorCode, type TicketErrorParams } from './errors';
import type { TicketService } from './tickets';

export interface PrefilledOpen {
  /** Idempotency: the same key gives the same ticket (e.g. `case-escalation:<caseId>`). */
  requestKey: string;
  /** The nodedesk user the ticket is for (its DM side). */
  userId: string;
  /** A category id (`dispute`, `other`, ...); unknown ids are refused with bad_category. */
  category: string;
  description: string;
  answers?: Record<string, string>;
  /** What the ticket is about, shown on the context card's answers: e.g. `{ case: 'C12' }`. */
  attached?: Record<string, string>;
  /** The identity to open it from when the user has several (default: the most recently active). */
  platform?: Platform;
}

export type PrefilledResult =
  | { ok: true; ticket: Ticket; created: boolean; ticketRef: string }
  | { ok: false; reason: TicketErrorCode | 'no_identity'; params?: TicketErrorParams };

export async function openPrefilled(
  deps: { prisma: PrismaClient; tickets: TicketService },
  input: PrefilledOpen,
): Promise<PrefilledResult> {
  const identities = await deps.prisma.identity.findMany({
    where: { userId: input.userId },
    orderBy: { lastActiveAt: 'desc' },
  });
  const identity = identities.find((i) => i.platform === input.platform) ?? identities[0];
  if (!identity) return { ok: false, reason: 'no_identity' };
  const opener: Actor = {
    identityId: identity.id,
    userId: identity.userId,
    platform: identity.platform,
    name: identity.username ?? identity.platformUserId,
    role: 'user',
  };
  try {
    const { ticket, created } = await deps.tickets.open({
      requestKey: input.requestKey.slice(0, 200),
      opener,
      category: input.category,
      description: input.description,
      answers: { ...(input.answers ?? {}), ...(input.attached ?? {}) },
    });
    return { ok: true, ticket, created, ticketRef: `#${ticket.number}` };
  } catch (err) {
    if (isTicketError(err)) return { ok: false, reason: err.code, params: err.params };
    throw err;
  }
}

/** Same shape as moderation/ports.ts EscalationInput (structural: ticketing does not import moderation). */
export interface CaseTicketInput {
  caseId: string;
  caseRef: string;
  requesterUserId: string;
  kind: 'escalation' | 'appeal';
  summary: string;
  nodeIds: string[];
}

export function caseEscalator(deps: { prisma: PrismaClient; tickets: TicketService }) {
  return {
    async open(
      input: CaseTicketInput,
    ): Promise<{ ok: true; ticketRef: string } | { ok: false; reason: string }> {
      const res = await openPrefilled(deps, {
        requestKey: `case-${input.kind}:${input.caseId}:${input.requesterUserId}`,
        userId: input.requesterUserId,
        category: 'dispute',
        description: `${input.kind === 'appeal' ? 'Appeal' : 'Escalation'} of case ${input.caseRef}\n${input.summary}`,
        attached: {
          case: input.caseRef,
          ...(input.nodeIds[0] ? { node_id: input.nodeIds.join(' ').slice(0, 128) } : {}),
        },
      });
      return res.ok ? { ok: true, ticketRef: res.ticketRef } : { ok: false, reason: res.reason };
    },
  };
}

export interface TicketOffer {
  category: string;
  description: string;
}

/** Offers kept for a day: long enough for a user to come back to the answer. */
const OFFER_TTL_S = 86_400;

export class TicketOffers {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string) {
    return `${this.prefix}:ticket-offer:${id}`;
  }

  /** The button data (`tickets:offer:<id>`) that opens a ticket with this text prefilled. */
  async buttonId(offer: TicketOffer): Promise<string> {
    const id = crypto.randomBytes(9).toString('base64url');
    await this.redis.set(
      this.key(id),
      JSON.stringify({ category: offer.category, description: offer.description.slice(0, 2000) }),
      'EX',
      OFFER_TTL_S,
    );
    return `tickets:offer:${id}`;
  }

  async get(id: string): Promise<TicketOffer | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as TicketOffer) : null;
  }
}
