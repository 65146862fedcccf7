// Shared vocabulary of moderation cases: states, references, reasons, actors.
import type { CaseState, Prisma, ReportReason } from '@prisma/client';

export const OPEN_STATES: CaseState[] = ['NEW', 'TRIAGING', 'NEEDS_INFO'];
export const isOpen = (s: CaseState) => OPEN_STATES.includes(s);

export const REASONS: readonly ReportReason[] = [
  'VIRTUALIZED_GPU',
  'DUPLICATED_CARD',
  'WRONG_MODEL',
  'SYBIL_FARM',
  'OTHER',
];

/** Reason as people type it (`virtualized`, `duplicated-card`, `sybil`…); unknown words are `OTHER`. */
export function parseReason(word: string | undefined): ReportReason | null {
  const w = (word ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (!w) return null;
  if (/^(virtuali[sz]edgpu|virtuali[sz]ed|vm|virtual|virtualgpu)$/.test(w)) return 'VIRTUALIZED_GPU';
  if (/^(duplicatedcard|duplicated|duplicate|clone|cloned)$/.test(w)) return 'DUPLICATED_CARD';
  if (/^(wrongmodel|wrong|model|fakemodel)$/.test(w)) return 'WRONG_MODEL';
  if (/^(sybilfarm|sybil|farm)$/.test(w)) return 'SYBIL_FARM';
  if (w === 'other') return 'OTHER';
  return null;
}

export const caseRef = (n: number) => `C${n}`;

/** `#C12`, `C12`, `c12` or `12` → 12. */
export function parseCaseRef(s: string | undefined): number | null {
  const m = /^#?[Cc]?(\d{1,9})$/.exec((s ?? '').trim());
  return m ? Number(m[1]) : null;
}

/** A staff member acting on a case (the layer has checked they are a moderator). */
export interface ModeratorActor {
  userId: string;
  identityId?: string;
  /** Shown on the card ("claimed by @name"). */
  name: string;
}

export interface Reporter {
  userId: string;
  identityId: string;
  platform: 'TELEGRAM' | 'DISCORD';
  platformUserId: string;
  name: string;
}

export interface AttachmentMeta {
  name: string;
  url?: string;
  /** The platform's reference (Telegram file_id, Discord attachment id). */
  ref?: string;
  contentType?: string;
  size?: number;
}

export const MAX_REPORT_TEXT = 1000;

/** A row of the case history (also what the card shows as "who did what, when"). */
export type CaseAction =
  | 'opened'
  | 'detected'
  | 'reported'
  | 'nodes_added'
  | 'merged_in'
  | 'merged_into'
  | 'brigading_flagged'
  | 'claimed'
  | 'confirmed'
  | 'dismissed'
  | 'info_requested'
  | 'info_received'
  | 'escalated'
  | 'appealed';

export type Tx = Prisma.TransactionClient;

export async function addEvent(
  tx: Tx,
  caseId: string,
  action: CaseAction,
  actor: { userId?: string | null; name?: string | null } | null,
  details?: Prisma.InputJsonValue,
): Promise<void> {
  await tx.caseEvent.create({
    data: {
      caseId,
      action,
      actorUserId: actor?.userId ?? null,
      actorName: actor?.name ?? null,
      ...(details !== undefined ? { details } : {}),
    },
  });
}

/** Serializes every change that touches one node (intake, detection, merges): no duplicate cases. */
export async function lockNodes(tx: Tx, nodeIds: string[]): Promise<void> {
  for (const id of [...new Set(nodeIds)].sort())
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(4213, hashtext(${id}))::text`;
}

export async function bumpVersion(tx: Tx, caseId: string): Promise<void> {
  await tx.moderationCase.update({ where: { id: caseId }, data: { version: { increment: 1 } } });
}
