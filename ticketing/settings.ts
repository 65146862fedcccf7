// Ticket limits and timers, from the configuration. Kept as one plain object so tests can
// shorten every timer without touching the environment.
import type { TicketPriority } from '@prisma/client';
import type { Config } from '../core/config';

export interface SlaTargets {
  /** Opened → first staff reply. */
  firstMs: number;
  /** Opened → resolved or closed. */
  resolveMs: number;
}

export interface TicketSettings {
  maxOpenPerUser: number;
  /** Tickets one user may open per rolling hour. */
  perHour: number;
  sla: Record<TicketPriority, SlaTargets>;
  /** Staff are pinged once this share of an SLA has passed. */
  slaWarnShare: number;
  /** Waiting for the user this long → a warning; then `idleCloseAfterMs` more → closed. */
  idleWarnAfterMs: number;
  idleCloseAfterMs: number;
  /** A closed ticket can be reopened for this long. */
  reopenWindowMs: number;
  /** An unfinished intake is dropped after this long. */
  intakeTtlMs: number;
  /** Files larger than this are referenced, not stored. */
  maxStoredAttachmentBytes: number;
}

const H = 3_600_000;

/** Defaults in the range Discord Tickets and TicketsBot ship with. */
export const DEFAULT_SLA: Record<TicketPriority, SlaTargets> = {
  URGENT: { firstMs: 0.25 * H, resolveMs: 4 * H },
  HIGH: { firstMs: 1 * H, resolveMs: 8 * H },
  NORMAL: { firstMs: 4 * H, resolveMs: 24 * H },
  LOW: { firstMs: 24 * H, resolveMs: 72 * H },
};

export const DEFAULT_SETTINGS: TicketSettings = {
  maxOpenPerUser: 3,
  perHour: 5,
  sla: DEFAULT_SLA,
  slaWarnShare: 0.8,
  idleWarnAfterMs: 48 * H,
  idleCloseAfterMs: 24 * H,
  reopenWindowMs: 7 * 24 * H,
  intakeTtlMs: 2 * H,
  maxStoredAttachmentBytes: 8 * 1024 * 1024,
};

export function settingsFromConfig(config: Config): TicketSettings {
  return {
    ...DEFAULT_SETTINGS,
    maxOpenPerUser: config.TICKETS_MAX_OPEN,
    perHour: config.TICKETS_PER_HOUR,
    sla: { ...DEFAULT_SLA, ...(config.TICKETS_SLA ?? {}) } as Record<TicketPriority, SlaTargets>,
    slaWarnShare: config.TICKETS_SLA_WARN_PERCENT / 100,
    idleWarnAfterMs: config.TICKETS_IDLE_WARN_AFTER,
    idleCloseAfterMs: config.TICKETS_IDLE_CLOSE_AFTER,
    reopenWindowMs: config.TICKETS_REOPEN_WINDOW,
  };
}
