// Who acts on a ticket, and the one place where staff actions are checked and audited:
// every staff-only operation goes through `StaffGate.run`, so a refused action is answered
// the same way everywhere and changes nothing, and an allowed one is recorded with its change.
import type { Platform, Prisma, PrismaClient } from '@prisma/client';
import type { Logger } from '../core/logger';
import { TicketError } from './errors';

export type ActorRole = 'user' | 'staff' | 'moderator';

export interface Actor {
  identityId: string;
  userId: string;
  platform: Platform;
  /** Display name as the platform gives it (user-controlled: shown literally). */
  name: string;
  /** Decided by the adapter from the platform (staff group membership, Discord roles). */
  role: ActorRole;
  /**
   * Set when the conversation layer audits this action itself (a staff-permission command
   * goes through bots/shared/router.ts, which writes one row): the domain hands its details
   * there instead of writing a second row. Unset (timers, other features, domain calls), the
   * domain writes the row.
   */
  reportAudit?: (entry: AuditEntry) => void;
  /**
   * Set when the action is taken outside the ticket's thread/topic (the staff dashboard):
   * staff working the ticket in chat did not see it happen, so the thread is told (a reply's
   * text, a note, a claim), the way the same action from chat shows there.
   */
  via?: 'dashboard';
}

export interface AuditEntry {
  action: TicketAction;
  subject: { type: 'ticket' | 'snippet' | 'panel'; id: string };
  details?: Prisma.InputJsonValue;
}

export const isStaff = (a: Pick<Actor, 'role'>) => a.role === 'staff' || a.role === 'moderator';

export type TicketAction =
  | 'ticket.open'
  | 'ticket.claim'
  | 'ticket.unclaim'
  | 'ticket.assign'
  | 'ticket.priority'
  | 'ticket.tags'
  | 'ticket.note'
  | 'ticket.reply'
  | 'ticket.snippet_use'
  | 'ticket.close'
  | 'ticket.close_request'
  | 'ticket.reopen'
  | 'ticket.auto_close'
  | 'ticket.view'
  | 'ticket.stats'
  | 'snippet.save'
  | 'snippet.delete'
  | 'panel.post'
  | 'panel.edit';

export type Tx = Prisma.TransactionClient;

/** Long enough for a burst of opens queued on a small pool (the default maxWait is 2 s). */
export const TX_OPTIONS = { maxWait: 30_000, timeout: 20_000 } as const;

export async function auditTicket(
  tx: Pick<PrismaClient, 'auditEvent'>,
  actor: Pick<Actor, 'userId' | 'identityId' | 'reportAudit'> | null,
  action: TicketAction,
  subject: { type: 'ticket' | 'snippet' | 'panel'; id: string },
  details?: Prisma.InputJsonValue,
): Promise<void> {
  if (actor?.reportAudit) {
    actor.reportAudit({ action, subject, ...(details !== undefined ? { details } : {}) });
    return;
  }
  await tx.auditEvent.create({
    data: {
      action,
      subjectType: subject.type,
      subjectId: subject.id,
      actorUserId: actor?.userId ?? null,
      actorIdentityId: actor?.identityId ?? null,
      ...(details !== undefined ? { details } : {}),
    },
  });
}

export class StaffGate {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger?: Logger,
  ) {}

  /** Refuses non-staff before anything is read or written. */
  check(actor: Actor, action: TicketAction): void {
    if (isStaff(actor)) return;
    this.logger?.info({ action, identity: actor.identityId }, 'staff action refused');
    throw new TicketError('forbidden');
  }

  /** Checks, then runs `change` and its audit entry in one transaction. */
  async run<T>(
    actor: Actor,
    action: TicketAction,
    subject: { type: 'ticket' | 'snippet' | 'panel'; id: string },
    change: (tx: Tx) => Promise<{ result: T; details?: Prisma.InputJsonValue }>,
  ): Promise<T> {
    this.check(actor, action);
    return this.prisma.$transaction(async (tx) => {
      const { result, details } = await change(tx);
      await auditTicket(tx, actor, action, subject, details);
      return result;
    }, TX_OPTIONS);
  }
}
