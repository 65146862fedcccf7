// Folding one user into another (the same person proved one wallet from two platforms).
// Every feature that keys data by user takes part through a MergeParticipant, all inside the
// one transaction that moves the identities and deletes the old user: a crash leaves the old
// state or the new one, never a mix. Participants: wallets and nodes (here), the rest listed
// in cli/merge-participants.ts (incidents, tickets, moderation, delivery failures). The
// audit log (audit_events.actor_user_id) keeps the id of whoever acted at the time.
import type { Prisma } from '@prisma/client';
import { prismaSql, type SqlRunner } from '../core/db';

export interface MergeTx {
  prisma: Prisma.TransactionClient;
  /** Raw SQL on the same transaction. */
  sql: SqlRunner;
}

export interface MergeParticipant {
  name: string;
  /** Moves everything of `from` to `into` (resolving duplicates); runs before `from` is deleted. */
  merge(tx: MergeTx, from: string, into: string): Promise<void>;
}

export const walletsParticipant: MergeParticipant = {
  name: 'wallets',
  merge: async ({ prisma }, from, into) => {
    await prisma.wallet.updateMany({ where: { userId: from }, data: { userId: into } });
  },
};

export const nodesParticipant: MergeParticipant = {
  name: 'nodes',
  merge: async ({ prisma }, from, into) => {
    await prisma.node.updateMany({ where: { userId: from }, data: { userId: into } });
  },
};

/** Runs every participant, then moves the identities and deletes `from`, on the caller's transaction. */
export async function mergeUsersIn(
  prisma: Prisma.TransactionClient,
  from: string,
  into: string,
  participants: readonly MergeParticipant[],
): Promise<void> {
  const tx: MergeTx = { prisma, sql: prismaSql(prisma) };
  for (const p of [walletsParticipant, nodesParticipant, ...participants]) await p.merge(tx, from, into);
  await prisma.identity.updateMany({ where: { userId: from }, data: { userId: into } });
  await prisma.user.delete({ where: { id: from } });
}
