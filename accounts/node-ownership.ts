// Watching versus owning a network device. Watching needs no proof: any number of users
// may watch one public device, each with their own row (node-networks.ts "watch rows") and
// their own alerts. Owning needs proof (a device-name challenge, a verified owner wallet,
// the node's heartbeat token); a proof moves the device's own row to the prover, and
// whoever held it without proof keeps watching from a watch row.
import { Prisma, type PrismaClient } from '@prisma/client';
import { audit } from './audit';
import type { IdentityRecord } from './identity';
import { WATCH_SEP, watchExternalId, type NodeNetwork } from './node-networks';

type Tx = Prisma.TransactionClient;

const isUniqueViolation = (err: unknown) =>
  err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** The user's watch row of a device, if any. */
export function findWatchRow(db: Tx | PrismaClient, userId: string, deviceId: string) {
  return db.node.findFirst({ where: { userId, externalId: { startsWith: `${deviceId}${WATCH_SEP}` } } });
}

export type WatchResult =
  | { ok: true; nodeId: string; via: 'watch'; network: NodeNetwork; again: boolean }
  | { ok: false; error: 'limit'; limit: number };

/** Watches a device whose own row another user holds. Idempotent per user. */
export async function watchDevice(
  prisma: PrismaClient,
  identity: IdentityRecord,
  deviceId: string,
  network: NodeNetwork,
  maxNodesPerUser: number,
): Promise<WatchResult> {
  const userId = identity.userId;
  const done = (again: boolean) => ({
    ok: true as const,
    nodeId: deviceId,
    via: 'watch' as const,
    network,
    again,
  });
  if (await findWatchRow(prisma, userId, deviceId)) return done(true);
  if ((await prisma.node.count({ where: { userId } })) >= maxNodesPerUser)
    return { ok: false, error: 'limit', limit: maxNodesPerUser };
  // The short suffix (8 hex of the user id) reads well in alerts; on the rare clash, the full id.
  for (const long of [false, true]) {
    try {
      await prisma.$transaction(async (tx) => {
        const externalId = watchExternalId(deviceId, userId, long);
        // A watch row left by an earlier /removenode (history kept) is taken up again.
        const reused = await tx.node.updateMany({
          where: { externalId, userId: null },
          data: { userId, network },
        });
        if (reused.count === 0) await tx.node.create({ data: { externalId, userId, network } });
        await audit(tx, {
          action: 'node.watch',
          subjectType: 'node',
          subjectId: deviceId,
          actorUserId: userId,
          actorIdentityId: identity.id,
          details: { network },
        });
      });
      return done(false);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // A concurrent /addnode of the same user won the insert: that row is theirs.
      if (await findWatchRow(prisma, userId, deviceId)) return done(true);
    }
  }
  throw new Error('watch row id clash');
}

export interface ClaimOutcome {
  deviceId: string;
  /** The user who held the device's row without this proof, now a watcher. */
  previousUserId: string | null;
  /** Heartbeat token hash of the previous holder, void now. */
  voidTokenHash: string | null;
  /** The prover's own watch row, unlinked now that they hold the device's row. */
  removedNodeId: string | null;
}

/** Gives the device's own row to a user who proved ownership; others keep watching. */
export async function claimOwnership(
  prisma: PrismaClient,
  userId: string,
  deviceId: string,
  network: NodeNetwork,
  via: 'device_name',
  details: Prisma.InputJsonValue = {},
): Promise<ClaimOutcome> {
  const attempt = () =>
    prisma.$transaction(async (tx) => {
      const out: ClaimOutcome = { deviceId, previousUserId: null, voidTokenHash: null, removedNodeId: null };
      const own = await tx.node.findUnique({ where: { externalId: deviceId } });
      const mine = await findWatchRow(tx, userId, deviceId);
      if (!own) {
        await tx.node.create({ data: { externalId: deviceId, userId, network, ownedVia: via } });
      } else {
        if (own.userId && own.userId !== userId) {
          out.previousUserId = own.userId;
          out.voidTokenHash = own.tokenHash;
          if (!(await findWatchRow(tx, own.userId, deviceId)))
            await tx.node.create({
              data: { externalId: watchExternalId(deviceId, own.userId), userId: own.userId, network },
            });
        }
        await tx.node.update({
          where: { id: own.id },
          data: {
            userId,
            ownedVia: via,
            network: own.network ?? network,
            ...(out.previousUserId ? { tokenHash: null } : {}),
          },
        });
      }
      if (mine) {
        // Unlinked like /removenode (history kept); the caller drops its liveness and incidents.
        await tx.node.update({ where: { id: mine.id }, data: { userId: null } });
        out.removedNodeId = mine.id;
      }
      await audit(tx, {
        action: 'node.claim',
        subjectType: 'node',
        subjectId: deviceId,
        actorUserId: userId,
        details: { via, previousUserId: out.previousUserId, ...(details as object) },
      });
      return out;
    });
  // Two proofs at once, or a watch row clash: the retry sees the winner's rows.
  return attempt().catch((err) => (isUniqueViolation(err) ? attempt() : Promise.reject(err)));
}
