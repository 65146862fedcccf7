// Messages of a ticket: what the user writes in their DM (or in the Discord thread they
// are in), staff replies in the thread/topic, internal notes, snippets and edits. Every
// message is stored first, keyed by the platform message it came from (a redelivered
// update stores nothing twice), then a per-ticket flush relays what the other side has not
// seen, in order. Text is stored and relayed literally; adapters render it escaped.
import type { Platform, PrismaClient, Ticket, TicketMessage, TicketMessageKind } from '@prisma/client';
import { auditTicket, TX_OPTIONS, type Actor, type StaffGate } from './actor';
import { TicketError } from './errors';
import type { TicketJobs } from './jobs';
import type { TicketSettings } from './settings';
import { nextState } from './state';
import type { TicketTimers } from './timers';
import { attachmentRows, type IncomingAttachment } from './tickets';
import { insertMessage, type TicketTouch } from './relay-sql';
import type pg from 'pg';

export const MAX_MESSAGE = 4000;

export interface IncomingMessage {
  /** Platform message id, unique within its chat: `<platform>:<chat>:<message id>`. */
  sourceKey: string;
  text: string;
  attachments?: IncomingAttachment[];
}

/** The user reads the ticket where staff work it: a Discord ticket worked in its own Discord thread. */
export const userInHome = (t: Pick<Ticket, 'platform' | 'homePlatform'>) =>
  t.platform === 'DISCORD' && t.homePlatform === 'DISCORD';

export interface RelayDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  gate: StaffGate;
  jobs: TicketJobs;
  timers: TicketTimers;
  settings: TicketSettings;
  now?: () => number;
}

export class TicketRelay {
  private readonly now: () => number;

  constructor(private readonly deps: RelayDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * A message from the ticket's user. `inHome`: written in the staff thread itself, so
   * staff saw it already and only the record is kept.
   */
  async fromUser(
    actor: Actor,
    ticket: Ticket,
    msg: IncomingMessage,
    opts: { inHome?: boolean } = {},
  ): Promise<TicketMessage | null> {
    if (ticket.userId !== actor.userId) throw new TicketError('not_in_ticket');
    if (ticket.state === 'CLOSED') throw new TicketError('closed', { number: ticket.number });
    const now = new Date(this.now());
    const stored = await this.store(ticket, actor, 'USER', msg, !!opts.inHome, {
      state: nextState(ticket.state, 'user_message'),
      lastUserMessageAt: now,
      lastActivityAt: now,
      // The user is back: no inactivity warning or close is due.
      idleWarnDueAt: null,
      idleWarnedAt: null,
    });
    if (stored && !opts.inHome)
      await this.deps.jobs.effect({ op: 'flush', ticketId: ticket.id }, String(stored.id));
    return stored;
  }

  /** A staff reply written in the ticket's thread/topic (or sent as a snippet). */
  async fromStaff(
    actor: Actor,
    ticket: Ticket,
    msg: IncomingMessage,
    action: 'ticket.reply' | 'ticket.snippet_use' = 'ticket.reply',
  ): Promise<TicketMessage | null> {
    this.deps.gate.check(actor, action);
    if (ticket.state === 'CLOSED') throw new TicketError('closed', { number: ticket.number });
    const now = new Date(this.now());
    // Written in a thread the user reads (Discord, user in the thread): they saw it already,
    // unless it was written elsewhere (the dashboard); then the flush posts it in the thread.
    const inHome = userInHome(ticket);
    const seen = inHome && !actor.via;
    const stored = await this.store(
      ticket,
      actor,
      'STAFF',
      msg,
      seen,
      {
        state: nextState(ticket.state, 'staff_message'),
        lastStaffMessageAt: now,
        lastActivityAt: now,
        ...(ticket.firstResponseAt ? {} : { firstResponseAt: now, firstResponderId: actor.identityId }),
      },
      action,
    );
    if (!stored) return null;
    await this.deps.timers.startIdle(ticket.id);
    if (!seen) await this.deps.jobs.effect({ op: 'flush', ticketId: ticket.id }, String(stored.id));
    // Sent to the user's DM from elsewhere: staff in the thread get a copy of what was said.
    if (actor.via && !inHome) await this.mirror(ticket, 'mirror_reply', stored);
    return stored;
  }

  /** Internal: stays in the staff thread and the staff transcript, never reaches the user. */
  async note(actor: Actor, ticket: Ticket, msg: IncomingMessage): Promise<TicketMessage | null> {
    this.deps.gate.check(actor, 'ticket.note');
    if (!msg.text.trim() && !msg.attachments?.length) throw new TicketError('bad_answer');
    const stored = await this.store(
      ticket,
      actor,
      'NOTE',
      msg,
      true,
      { lastActivityAt: new Date(this.now()) },
      'ticket.note',
    );
    // Not where the user reads (a Discord thread they are in): a note must never reach them.
    if (stored && actor.via && !userInHome(ticket)) await this.mirror(ticket, 'mirror_note', stored);
    return stored;
  }

  /** A message written outside the thread, posted there for staff (once per message). */
  private mirror(ticket: Ticket, notice: 'mirror_reply' | 'mirror_note', m: TicketMessage) {
    return this.deps.jobs.effect(
      { op: 'notice', ticketId: ticket.id, notice, side: 'home', params: { message: String(m.id) } },
      String(m.id),
    );
  }

  /** A stored snippet, sent to the user as a staff reply. */
  async snippet(
    actor: Actor,
    ticket: Ticket,
    name: string,
    sourceKey: string,
  ): Promise<TicketMessage | null> {
    this.deps.gate.check(actor, 'ticket.snippet_use');
    const snippet = await this.deps.prisma.ticketSnippet.findUnique({
      where: { name: name.trim().toLowerCase() },
    });
    if (!snippet) throw new TicketError('snippet_missing', { name: name.slice(0, 32) });
    return this.fromStaff(actor, ticket, { sourceKey, text: snippet.body }, 'ticket.snippet_use');
  }

  /** The author edited their message: the record changes and the relayed copy is edited in place. */
  async edit(actor: Actor, ticket: Ticket, sourceKey: string, text: string): Promise<TicketMessage | null> {
    const m = await this.deps.prisma.ticketMessage.findUnique({
      where: { ticketId_sourceKey: { ticketId: ticket.id, sourceKey } },
    });
    if (!m) return null;
    if (m.authorIdentityId !== actor.identityId) throw new TicketError('forbidden');
    const editedAt = new Date(this.now());
    const updated = await this.deps.prisma.ticketMessage.update({
      where: { id: m.id },
      data: { body: text.slice(0, MAX_MESSAGE), editedAt },
    });
    if (m.kind === 'USER' || m.kind === 'STAFF')
      await this.deps.jobs.effect(
        { op: 'edit', ticketId: ticket.id, messageId: String(m.id) },
        String(editedAt.getTime()),
      );
    return updated;
  }

  private async store(
    ticket: Ticket,
    actor: Actor,
    kind: TicketMessageKind,
    msg: IncomingMessage,
    seenByOtherSide: boolean,
    ticketUpdate: TicketTouch,
    audit?: 'ticket.reply' | 'ticket.note' | 'ticket.snippet_use',
  ): Promise<TicketMessage | null> {
    const fields = {
      ticketId: ticket.id,
      kind,
      authorIdentityId: actor.identityId,
      authorName: actor.name.slice(0, 100),
      platform: actor.platform as Platform,
      sourceKey: msg.sourceKey,
      body: msg.text.slice(0, MAX_MESSAGE),
      relayedAt: seenByOtherSide ? new Date(this.now()) : null,
    };
    const attachments = attachmentRows(msg.attachments, this.deps.settings.maxStoredAttachmentBytes);
    // Unaudited (the user's messages, the bulk of a ticket): one statement on the pool.
    if (!audit) return insertMessage(this.deps.pool, { ...fields, attachments }, ticketUpdate);
    // A staff action: the message and its audit entry in one transaction.
    try {
      return await this.deps.prisma.$transaction(async (tx) => {
        const created = await tx.ticketMessage.create({
          data: { ...fields, attachments: { create: attachments } },
        });
        await tx.ticket.updateMany({
          where: { id: ticket.id, state: { not: 'CLOSED' } },
          data: ticketUpdate,
        });
        if (audit)
          await auditTicket(
            tx,
            actor,
            audit,
            { type: 'ticket', id: ticket.id },
            {
              number: ticket.number,
              message: String(created.id),
            },
          );
        return created;
      }, TX_OPTIONS);
    } catch (err) {
      // The same platform message again (a redelivered update, a retried handler).
      if ((err as { code?: string }).code === 'P2002') return null;
      throw err;
    }
  }
}
