// SLA and inactivity timers as BullMQ delayed jobs (they live in Redis and survive any
// restart of the workers, unlike in-process timeouts: discord-tickets #552, #559). The
// ticket row holds each timer's due time; a job checks it against its own and does
// nothing when they differ, so rescheduling never needs to find and cancel old jobs, and a
// conditional update makes each warning fire once even with several workers.
import type { PrismaClient, Ticket, TicketPriority } from '@prisma/client';
import type { TicketTimerJob } from '../core/queue';
import type { TicketJobs } from './jobs';
import type { TicketSettings } from './settings';

export function slaDueTimes(openedAt: Date, priority: TicketPriority, settings: TicketSettings) {
  const t = settings.sla[priority];
  return {
    firstDueAt: new Date(openedAt.getTime() + t.firstMs),
    resolveDueAt: new Date(openedAt.getTime() + t.resolveMs),
  };
}

/** When staff are warned about a due time: after `share` of the span from opening. */
export function warnAt(openedAt: Date, dueAt: Date, share: number): number {
  const open = openedAt.getTime();
  return Math.round(open + (dueAt.getTime() - open) * share);
}

export type TimerOutcome =
  { fired: false } | { fired: true; kind: TicketTimerJob['kind']; ticket: Ticket; leftMs?: number };

const IDLE_STATES = ['WAITING_USER', 'RESOLVED'] as const;

export class TicketTimers {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly jobs: TicketJobs,
    private readonly settings: TicketSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** (Re)schedules the four SLA jobs from the ticket's due times. */
  async scheduleSla(t: Ticket): Promise<void> {
    const share = this.settings.slaWarnShare;
    const adds: TicketTimerJob[] = [];
    if (t.slaFirstDueAt && !t.firstResponseAt) {
      adds.push({
        ticketId: t.id,
        kind: 'sla-first-warn',
        dueAt: warnAt(t.openedAt, t.slaFirstDueAt, share),
      });
      adds.push({ ticketId: t.id, kind: 'sla-first-breach', dueAt: t.slaFirstDueAt.getTime() });
    }
    if (t.slaResolveDueAt && !t.resolvedAt && !t.closedAt) {
      adds.push({
        ticketId: t.id,
        kind: 'sla-resolve-warn',
        dueAt: warnAt(t.openedAt, t.slaResolveDueAt, share),
      });
      adds.push({ ticketId: t.id, kind: 'sla-resolve-breach', dueAt: t.slaResolveDueAt.getTime() });
    }
    await Promise.all(adds.map((job) => this.jobs.timer(job)));
  }

  /** Staff answered (or closing was requested): the user has this long before a warning. */
  async startIdle(ticketId: string): Promise<void> {
    const dueAt = new Date(this.now() + this.settings.idleWarnAfterMs);
    await this.prisma.ticket.update({
      where: { id: ticketId },
      data: { idleWarnDueAt: dueAt, idleWarnedAt: null },
    });
    await this.jobs.timer({ ticketId, kind: 'idle-warn', dueAt: dueAt.getTime() });
  }

  /** Checks a fired job against the ticket and claims it; `fired: false` = stale or already done. */
  async fire(job: TicketTimerJob): Promise<TimerOutcome> {
    const { ticketId, kind, dueAt } = job;
    const t = await this.prisma.ticket.findUnique({ where: { id: ticketId } });
    if (!t || t.state === 'CLOSED') return { fired: false };
    const now = new Date(this.now());
    const share = this.settings.slaWarnShare;
    const claim = async (where: object, data: object) =>
      (await this.prisma.ticket.updateMany({ where: { id: ticketId, ...where }, data })).count === 1;
    switch (kind) {
      case 'sla-first-warn': {
        if (t.firstResponseAt || !t.slaFirstDueAt || warnAt(t.openedAt, t.slaFirstDueAt, share) !== dueAt)
          break;
        if (
          !(await claim(
            { firstResponseAt: null, slaFirstWarnedAt: null, slaFirstDueAt: t.slaFirstDueAt },
            { slaFirstWarnedAt: now },
          ))
        )
          break;
        return { fired: true, kind, ticket: t, leftMs: t.slaFirstDueAt.getTime() - now.getTime() };
      }
      case 'sla-first-breach': {
        if (t.firstResponseAt || t.slaFirstDueAt?.getTime() !== dueAt) break;
        if (
          !(await claim(
            { firstResponseAt: null, slaFirstBreachedAt: null, slaFirstDueAt: t.slaFirstDueAt },
            { slaFirstBreachedAt: now },
          ))
        )
          break;
        return { fired: true, kind, ticket: t };
      }
      case 'sla-resolve-warn': {
        if (t.resolvedAt || !t.slaResolveDueAt || warnAt(t.openedAt, t.slaResolveDueAt, share) !== dueAt)
          break;
        if (
          !(await claim(
            { resolvedAt: null, slaResolveWarnedAt: null, slaResolveDueAt: t.slaResolveDueAt },
            { slaResolveWarnedAt: now },
          ))
        )
          break;
        return { fired: true, kind, ticket: t, leftMs: t.slaResolveDueAt.getTime() - now.getTime() };
      }
      case 'sla-resolve-breach': {
        if (t.resolvedAt || t.slaResolveDueAt?.getTime() !== dueAt) break;
        if (
          !(await claim(
            { resolvedAt: null, slaResolveBreachedAt: null, slaResolveDueAt: t.slaResolveDueAt },
            { slaResolveBreachedAt: now },
          ))
        )
          break;
        return { fired: true, kind, ticket: t };
      }
      case 'idle-warn': {
        if (!IDLE_STATES.includes(t.state as (typeof IDLE_STATES)[number])) break;
        if (t.idleWarnedAt || t.idleWarnDueAt?.getTime() !== dueAt) break;
        const closeAt = new Date(now.getTime() + this.settings.idleCloseAfterMs);
        const ok = await claim(
          { idleWarnedAt: null, idleWarnDueAt: t.idleWarnDueAt, state: { in: [...IDLE_STATES] } },
          { idleWarnedAt: now, idleWarnDueAt: closeAt },
        );
        if (!ok) break;
        await this.jobs.timer({ ticketId, kind: 'idle-close', dueAt: closeAt.getTime() });
        return { fired: true, kind, ticket: t, leftMs: this.settings.idleCloseAfterMs };
      }
      case 'idle-close': {
        if (!IDLE_STATES.includes(t.state as (typeof IDLE_STATES)[number])) break;
        if (!t.idleWarnedAt || t.idleWarnDueAt?.getTime() !== dueAt) break;
        // Claimed by the close itself (state → CLOSED is conditional there).
        return { fired: true, kind, ticket: t };
      }
    }
    return { fired: false };
  }
}
