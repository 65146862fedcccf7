// Queues the ticket feature's work: effects (staff-side posts, relays, notices) and timers.
// Job ids name the work, so the same effect is never queued twice and a timer set again for
// the same due time is one job; BullMQ keeps delayed jobs in Redis, so timers survive restarts.
import type { QueueHub, TicketEffectJob, TicketTimerJob } from '../core/queue';

/** BullMQ refuses ':' in custom ids. */
const safe = (s: string) => s.replace(/:/g, '.');

export function effectJobId(e: TicketEffectJob, discriminator = ''): string {
  switch (e.op) {
    case 'edit':
      return safe(`te.edit.${e.messageId}.${discriminator}`);
    case 'notice':
      return safe(`te.notice.${e.ticketId}.${e.notice}.${discriminator}`);
    default:
      return safe(`te.${e.op}.${e.ticketId}.${discriminator}`);
  }
}

export const timerJobId = (t: TicketTimerJob) => safe(`tt.${t.kind}.${t.ticketId}.${t.dueAt}`);

export class TicketJobs {
  constructor(
    private readonly hub: QueueHub,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `discriminator` separates repeated effects of one kind (a flush per message, a notice per
   * close); the same discriminator again is a duplicate and is dropped.
   */
  async effect(e: TicketEffectJob, discriminator = ''): Promise<void> {
    await this.hub.add('ticket-effect', e, {
      jobId: effectJobId(e, discriminator),
      attempts: 12,
      backoff: { type: 'exponential', delay: 500 },
    });
  }

  async timer(t: TicketTimerJob): Promise<void> {
    await this.hub.add('ticket-timer', t, {
      jobId: timerJobId(t),
      delay: Math.max(0, t.dueAt - this.now()),
      attempts: 5,
    });
  }

  /** Drops a timer that no longer applies (best effort: a stale timer that fires anyway does nothing). */
  async cancelTimer(t: TicketTimerJob): Promise<void> {
    await this.hub
      .queue('ticket-timer')
      .remove(timerJobId(t))
      .catch(() => 0);
  }
}
