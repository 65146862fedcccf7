import type { Prisma, PrismaClient } from '@prisma/client';

export type AuditAction =
  | 'wallet.link'
  | 'wallet.relink'
  | 'wallet.unlink'
  | 'wallet.takeover'
  | 'user.merge'
  | 'node.add'
  | 'node.token_rotate'
  | 'node.remove'
  /** Watching a device someone else holds (no proof; alerts go to the watcher only). */
  | 'node.watch'
  /** Ownership proven (a device-name challenge): the device's row moves to the prover. */
  | 'node.claim'
  | 'kb.publish'
  /** Staff actions, written by the conversation layer: `staff.<feature>.<action>`. */
  | `staff.${string}`;

export interface AuditEntry {
  action: AuditAction;
  subjectType: 'wallet' | 'node' | 'user' | (string & {});
  subjectId: string;
  actorUserId?: string | null;
  actorIdentityId?: string | null;
  details?: Prisma.InputJsonValue;
}

type Tx = Pick<PrismaClient, 'auditEvent'>;

/** Records one state change; pass the transaction client so the entry commits with the change. */
export async function audit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      actorUserId: entry.actorUserId ?? null,
      actorIdentityId: entry.actorIdentityId ?? null,
      ...(entry.details !== undefined ? { details: entry.details } : {}),
    },
  });
}
