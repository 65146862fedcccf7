// Staff and user actions on a ticket after it is open: claim, assign, priority, tags,
// close (or a close request), reopen, rating. Staff-only actions go through StaffGate
// (checked and audited in one place); a refusal throws before anything is written.
import type { Prisma, PrismaClient, Ticket, TicketPriority } from '@prisma/client';
import { auditTicket, isStaff, TX_OPTIONS, type Actor, type StaffGate, type Tx } from './actor';
import type { Categories } from './categories';
import { TicketError } from './errors';
import type { TicketJobs } from './jobs';
import type { TicketSettings } from './settings';
import { nextState, parsePriority, parseTags } from './state';
import { slaDueTimes, type TicketTimers } from './timers';

export interface LifecycleDeps {
  prisma: PrismaClient;
  gate: StaffGate;
  jobs: TicketJobs;
  timers: TicketTimers;
  settings: TicketSettings;
  categories: Categories;
  now?: () => number;
}

export const MAX_REASON = 500;

export class TicketLifecycle {
  private readonly now: () => number;

  constructor(private readonly deps: LifecycleDeps) {
    this.now = deps.now ?? Date.now;
  }

  private async load(tx: Tx | PrismaClient, ticketId: string): Promise<Ticket> {
    const t = await tx.ticket.findUnique({ where: { id: ticketId } });
    if (!t) throw new TicketError('not_found');
    return t;
  }

  private staffChange(
    actor: Actor,
    action: Parameters<StaffGate['run']>[1],
    ticketId: string,
    change: (
      t: Ticket,
      tx: Tx,
    ) => Promise<{ data: Prisma.TicketUpdateInput; details?: Prisma.InputJsonValue }>,
  ): Promise<Ticket> {
    return this.deps.gate.run(actor, action, { type: 'ticket', id: ticketId }, async (tx) => {
      const t = await this.load(tx, ticketId);
      if (t.state === 'CLOSED') throw new TicketError('closed', { number: t.number });
      const { data, details } = await change(t, tx);
      const result = await tx.ticket.update({ where: { id: ticketId }, data });
      return { result, details: { number: t.number, ...((details as object) ?? {}) } };
    });
  }

  async claim(actor: Actor, ticketId: string): Promise<Ticket> {
    const t = await this.staffChange(actor, 'ticket.claim', ticketId, async (cur) => ({
      data: { assigneeIdentityId: actor.identityId, assigneeName: actor.name.slice(0, 100) },
      details: { previous: cur.assigneeIdentityId },
    }));
    // From chat the command's answer says it in the thread; from elsewhere the thread is told.
    if (actor.via)
      await this.deps.jobs.effect(
        {
          op: 'notice',
          ticketId,
          notice: 'mirror_claim',
          side: 'home',
          params: { name: t.assigneeName ?? '', via: actor.via },
        },
        String(this.now()),
      );
    return t;
  }

  unclaim(actor: Actor, ticketId: string): Promise<Ticket> {
    return this.staffChange(actor, 'ticket.unclaim', ticketId, async (t) => ({
      data: { assigneeIdentityId: null, assigneeName: null },
      details: { previous: t.assigneeIdentityId },
    }));
  }

  /** The adapter checks that the assignee is staff on its platform. */
  assign(actor: Actor, ticketId: string, assignee: { identityId: string; name: string }): Promise<Ticket> {
    return this.staffChange(actor, 'ticket.assign', ticketId, async (t) => ({
      data: { assigneeIdentityId: assignee.identityId, assigneeName: assignee.name.slice(0, 100) },
      details: { previous: t.assigneeIdentityId, assignee: assignee.identityId },
    }));
  }

  async setPriority(actor: Actor, ticketId: string, input: string | TicketPriority): Promise<Ticket> {
    this.deps.gate.check(actor, 'ticket.priority');
    const priority = parsePriority(input);
    const t = await this.staffChange(actor, 'ticket.priority', ticketId, async (cur) => {
      const due = slaDueTimes(cur.openedAt, priority, this.deps.settings);
      return {
        data: { priority, slaFirstDueAt: due.firstDueAt, slaResolveDueAt: due.resolveDueAt },
        details: { from: cur.priority, to: priority },
      };
    });
    await this.deps.timers.scheduleSla(t);
    return t;
  }

  /** `+tag` adds, `-tag` removes, plain words replace the list. */
  async setTags(actor: Actor, ticketId: string, input: string): Promise<Ticket> {
    this.deps.gate.check(actor, 'ticket.tags');
    const words = input
      .trim()
      .split(/[\s,]+/)
      .filter(Boolean);
    const add = parseTags(
      words
        .filter((w) => !w.startsWith('-'))
        .map((w) => w.replace(/^\+/, ''))
        .join(' '),
    );
    const remove = parseTags(
      words
        .filter((w) => w.startsWith('-'))
        .map((w) => w.slice(1))
        .join(' '),
    );
    const relative = words.some((w) => w.startsWith('+') || w.startsWith('-'));
    return this.staffChange(actor, 'ticket.tags', ticketId, async (t) => {
      const base = relative ? t.tags : [];
      const tags = [...new Set([...base, ...add])].filter((x) => !remove.includes(x)).slice(0, 20);
      return { data: { tags }, details: { from: t.tags, to: tags } };
    });
  }

  /**
   * Closes, or asks the user to confirm first when the category wants that and staff did
   * not force it. The ticket's own user may close it; others' tickets need staff.
   */
  async close(
    actor: Actor,
    ticketId: string,
    reason: string | null,
    opts: { force?: boolean } = {},
  ): Promise<{ ticket: Ticket; requested: boolean }> {
    const t = await this.load(this.deps.prisma, ticketId);
    const own = t.userId === actor.userId;
    if (!own) this.deps.gate.check(actor, 'ticket.close');
    if (t.state === 'CLOSED') throw new TicketError('closed', { number: t.number });
    const category = this.deps.categories.get(t.category);
    const clean = reason?.trim().slice(0, MAX_REASON) || null;
    if (!own && category?.closeRequest && !opts.force && t.state !== 'RESOLVED') {
      const ticket = await this.transition(t, actor, 'ticket.close_request', 'close_request', {
        resolvedAt: new Date(this.now()),
        closeReason: clean,
      });
      await this.deps.timers.startIdle(ticket.id);
      await this.deps.jobs.effect(
        { op: 'notice', ticketId, notice: 'close_request', side: 'both' },
        String(this.now()),
      );
      return { ticket, requested: true };
    }
    return { ticket: await this.finishClose(t, actor, clean), requested: false };
  }

  /** The user's answer to a close request. */
  async answerCloseRequest(actor: Actor, ticketId: string, solved: boolean): Promise<Ticket> {
    const t = await this.load(this.deps.prisma, ticketId);
    if (t.userId !== actor.userId) throw new TicketError('not_in_ticket');
    if (t.state !== 'RESOLVED')
      throw new TicketError(t.state === 'CLOSED' ? 'closed' : 'not_found', { number: t.number });
    if (solved) return this.finishClose(t, actor, t.closeReason);
    const ticket = await this.transition(t, actor, 'ticket.reopen', 'keep_open', {
      resolvedAt: null,
      idleWarnDueAt: null,
    });
    await this.deps.jobs.effect(
      { op: 'notice', ticketId, notice: 'kept_open', side: 'home' },
      String(this.now()),
    );
    return ticket;
  }

  /** Inactivity: the timer fired after the warning. `null` actor = the system. */
  async autoClose(ticketId: string): Promise<Ticket | null> {
    const t = await this.load(this.deps.prisma, ticketId);
    if (t.state === 'CLOSED') return null;
    return this.finishClose(t, null, 'inactivity');
  }

  private async finishClose(t: Ticket, actor: Actor | null, reason: string | null): Promise<Ticket> {
    const now = new Date(this.now());
    const ticket = await this.deps.prisma.$transaction(async (tx) => {
      const res = await tx.ticket.updateMany({
        where: { id: t.id, state: { not: 'CLOSED' } },
        data: {
          state: 'CLOSED',
          closedAt: now,
          closedById: actor?.identityId ?? null,
          closeReason: reason,
          resolvedAt: t.resolvedAt ?? now,
          idleWarnDueAt: null,
        },
      });
      if (res.count !== 1) throw new TicketError('closed', { number: t.number });
      await tx.ticketMessage.create({
        data: {
          ticketId: t.id,
          kind: 'SYSTEM',
          authorIdentityId: actor?.identityId ?? null,
          authorName: actor?.name.slice(0, 100) ?? null,
          body: `closed${reason ? `: ${reason}` : ''}`,
        },
      });
      await auditTicket(
        tx,
        actor,
        actor ? 'ticket.close' : 'ticket.auto_close',
        { type: 'ticket', id: t.id },
        {
          number: t.number,
          reason,
        },
      );
      return tx.ticket.findUniqueOrThrow({ where: { id: t.id } });
    }, TX_OPTIONS);
    await this.deps.jobs.effect({ op: 'closed', ticketId: t.id }, String(now.getTime()));
    return ticket;
  }

  private async transition(
    t: Ticket,
    actor: Actor,
    action: 'ticket.close_request' | 'ticket.reopen',
    event: Parameters<typeof nextState>[1],
    extra: Prisma.TicketUpdateManyMutationInput,
  ): Promise<Ticket> {
    const to = nextState(t.state, event);
    return this.deps.prisma.$transaction(async (tx) => {
      const res = await tx.ticket.updateMany({
        where: { id: t.id, state: t.state },
        data: { state: to, ...extra },
      });
      if (res.count !== 1) throw new TicketError('not_found');
      await auditTicket(
        tx,
        actor,
        action,
        { type: 'ticket', id: t.id },
        { number: t.number, from: t.state, to },
      );
      return tx.ticket.findUniqueOrThrow({ where: { id: t.id } });
    }, TX_OPTIONS);
  }

  /** The owner within the reopen window; staff at any time. */
  async reopen(actor: Actor, ticketId: string): Promise<Ticket> {
    const t = await this.load(this.deps.prisma, ticketId);
    const own = t.userId === actor.userId;
    if (!own) this.deps.gate.check(actor, 'ticket.reopen');
    if (t.state !== 'CLOSED') throw new TicketError('not_closed', { number: t.number });
    if (!isStaff(actor) && (t.closedAt?.getTime() ?? 0) + this.deps.settings.reopenWindowMs < this.now())
      throw new TicketError('reopen_expired', { number: t.number });
    const ticket = await this.transition(t, actor, 'ticket.reopen', 'reopen', {
      closedAt: null,
      closedById: null,
      resolvedAt: null,
      reopenCount: { increment: 1 },
      lastActivityAt: new Date(this.now()),
    });
    await this.deps.jobs.effect({ op: 'reopened', ticketId }, String(this.now()));
    return ticket;
  }

  async rate(actor: Actor, ticketId: string, score: number, comment?: string | null): Promise<void> {
    const t = await this.load(this.deps.prisma, ticketId);
    if (t.userId !== actor.userId) throw new TicketError('not_in_ticket');
    if (t.state !== 'CLOSED') throw new TicketError('not_closed', { number: t.number });
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new TicketError('bad_rating');
    const clean = comment?.trim().slice(0, 1000) || null;
    await this.deps.prisma.ticketRating.upsert({
      where: { ticketId },
      create: { ticketId, score, comment: clean },
      // A second press changes the score; a comment sent later is added to it.
      update: { score, ...(clean ? { comment: clean } : {}) },
    });
  }

  async comment(actor: Actor, ticketId: string, comment: string): Promise<void> {
    const r = await this.deps.prisma.ticketRating.findUnique({
      where: { ticketId },
      include: { ticket: true },
    });
    if (!r || r.ticket.userId !== actor.userId) throw new TicketError('not_in_ticket');
    await this.deps.prisma.ticketRating.update({
      where: { ticketId },
      data: { comment: comment.trim().slice(0, 1000) },
    });
  }
}
