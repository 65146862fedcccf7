// Runs fired ticket timers: SLA warnings and breaches are posted for staff, the inactivity
// warning goes to the user (and staff), and the auto-close closes the ticket.
import type { Logger } from '../core/logger';
import type { QueueHub, TicketTimerJob } from '../core/queue';
import type { TicketJobs } from './jobs';
import type { TicketLifecycle } from './lifecycle';
import type { TicketTimers } from './timers';

export interface TimerWorkerDeps {
  hub: QueueHub;
  timers: TicketTimers;
  lifecycle: TicketLifecycle;
  jobs: TicketJobs;
  logger: Logger;
  onFired?: (kind: TicketTimerJob['kind'], ticketId: string) => void;
}

export function startTimerWorker(deps: TimerWorkerDeps) {
  return deps.hub.worker(
    'ticket-timer',
    async (job) => {
      const out = await deps.timers.fire(job.data);
      if (!out.fired) return { stale: true };
      const { ticketId, kind, dueAt } = job.data;
      const leftMs = Math.max(0, out.leftMs ?? 0);
      if (kind === 'idle-close') {
        await deps.lifecycle.autoClose(ticketId);
      } else if (kind === 'idle-warn') {
        await deps.jobs.effect(
          { op: 'notice', ticketId, notice: 'idle_warning', side: 'both', params: { leftMs } },
          String(dueAt),
        );
      } else {
        await deps.jobs.effect(
          { op: 'notice', ticketId, notice: kind, side: 'home', params: { leftMs } },
          String(dueAt),
        );
      }
      deps.logger.info({ ticket: out.ticket.number, kind }, 'ticket timer fired');
      deps.onFired?.(kind, ticketId);
      return { fired: kind };
    },
    { concurrency: 4 },
  );
}
