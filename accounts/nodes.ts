// Node claims. A node is claimed by one user at a time: either at once, when the network
// source reports an owner wallet the user has verified, or with a heartbeat token that is
// shown once and stored hashed. Concurrent claims of one node end with exactly one owner.
import type { PrismaClient } from '@prisma/client';
import type pg from 'pg';
import { audit } from './audit';
import type { IdentityRecord } from './identity';
import {
  decideNetwork,
  deviceIdOf,
  isWatchRow,
  type NetworkDecision,
  type NodeNetwork,
  type WatchSource,
} from './node-networks';
import { findWatchRow, watchDevice, type WatchResult } from './node-ownership';
import { hashToken, newHeartbeatToken } from './tokens';

const CLAIM_TX = { maxWait: 15_000, timeout: 15_000 } as const;

/** UUID, 8-64 characters of letters, digits, "_" and "-", or a simulated `sim-…` id. */
export const DEFAULT_NODE_ID_PATTERN =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9_-]{8,64}|sim-[A-Za-z0-9_-]{1,60})$/;

export interface NodeServiceOptions {
  /** The pool under `prisma`: /nodes reads through it, skipping Prisma's query planning. */
  pool?: pg.Pool;
  idPattern?: RegExp;
  maxNodesPerUser?: number;
  /** Drops a replaced token from the heartbeat lookup cache at once. */
  tokenCache?: {
    forget(hash: string | null | undefined): Promise<void>;
    /** Adds a token just issued to the heartbeat index, which answers unknown hashes alone. */
    learn?(hash: string): Promise<void>;
  };
}

export type AddNodeResult =
  | { ok: true; nodeId: string; via: 'wallet'; wallet: string; network: NodeNetwork | null }
  | { ok: true; nodeId: string; via: 'token'; token: string; rotated: boolean; network: NodeNetwork | null }
  | WatchResult
  | { ok: false; error: 'invalid_id' }
  | { ok: false; error: 'claimed_by_other'; nodeId: string };

export interface NodeView {
  id: string;
  /** The device id (a watch row shows its device's). */
  externalId: string;
  /** Watched only, through a watch row: someone else holds the device's own row. */
  watching: boolean;
  label: string | null;
  state: string;
  stateSince: Date;
  lastSeenAt: Date | null;
}

function existingNetwork(n: { network: string | null }): NodeNetwork | null {
  return n.network === 'ionet' || n.network === 'nosana' || n.network === 'akash' ? n.network : null;
}

export class NodeService {
  readonly idPattern: RegExp;
  readonly maxNodesPerUser: number;
  private readonly tokenCache: NodeServiceOptions['tokenCache'];
  private readonly pool: pg.Pool | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    opts: NodeServiceOptions = {},
  ) {
    this.idPattern = opts.idPattern ?? DEFAULT_NODE_ID_PATTERN;
    this.maxNodesPerUser = opts.maxNodesPerUser ?? 500;
    this.tokenCache = opts.tokenCache;
    this.pool = opts.pool;
  }

  validId(nodeId: string): boolean {
    return nodeId.length <= 128 && this.idPattern.test(nodeId);
  }

  /** Who will watch this id: a network recognised from its form, heartbeat only, or ask. */
  async decideNetwork(
    externalId: string,
    enabled: readonly WatchSource[],
    requested?: string,
  ): Promise<NetworkDecision> {
    const n = await this.prisma.node.findUnique({ where: { externalId }, select: { network: true } });
    return decideNetwork(externalId, enabled, {
      ...(requested ? { requested } : {}),
      existing: n?.network ?? null,
      known: !!n,
    });
  }

  /**
   * Watches a node. With `network`, that network's API watches it (no proof needed: alerts
   * go to the watcher only); the heartbeat token is issued too, as an optional second view.
   */
  async add(
    identity: IdentityRecord,
    rawId: string,
    opts: { network?: NodeNetwork } = {},
  ): Promise<AddNodeResult> {
    const nodeId = rawId.trim();
    if (!this.validId(nodeId)) return { ok: false, error: 'invalid_id' };
    const network = opts.network ?? null;
    const userId = identity.userId;
    const actor = { actorUserId: userId, actorIdentityId: identity.id };
    const existing = await this.prisma.node.findUnique({ where: { externalId: nodeId } });

    // A network's public device may have many watchers; a heartbeat-only node has one holder.
    if (existing?.userId && existing.userId !== userId)
      return network
        ? watchDevice(this.prisma, identity, nodeId, network, this.maxNodesPerUser)
        : { ok: false, error: 'claimed_by_other', nodeId };
    if (existing?.userId === userId) {
      // Tokens are shown once; asking again for your own node issues a new one.
      const token = newHeartbeatToken();
      await this.prisma.$transaction(async (tx) => {
        await tx.node.update({
          where: { id: existing.id },
          data: { tokenHash: hashToken(token), ...(network ? { network } : {}) },
        });
        await audit(tx, { action: 'node.token_rotate', subjectType: 'node', subjectId: nodeId, ...actor });
      });
      await this.tokenCache?.forget(existing.tokenHash);
      await this.tokenCache?.learn?.(hashToken(token));
      return {
        ok: true,
        nodeId,
        via: 'token',
        token,
        rotated: true,
        network: network ?? existingNetwork(existing),
      };
    }

    const count = await this.prisma.node.count({ where: { userId } });
    if (count >= this.maxNodesPerUser) return { ok: false, error: 'limit', limit: this.maxNodesPerUser };

    // Claim by wallet when the network says the node belongs to one of the user's wallets.
    if (existing?.ownerWallet) {
      const wallet = await this.prisma.wallet.findFirst({
        where: { userId, address: { in: [existing.ownerWallet, existing.ownerWallet.toLowerCase()] } },
      });
      if (wallet) {
        const won = await this.prisma.$transaction(async (tx) => {
          const res = await tx.node.updateMany({
            where: { id: existing.id, userId: null },
            data: { userId, ownedVia: 'wallet', ...(network ? { network } : {}) },
          });
          if (res.count === 1) {
            await audit(tx, {
              action: 'node.add',
              subjectType: 'node',
              subjectId: nodeId,
              ...actor,
              details: { via: 'wallet' },
            });
          }
          return res.count === 1;
        });
        return won
          ? {
              ok: true,
              nodeId,
              via: 'wallet',
              wallet: existing.ownerWallet,
              network: network ?? existingNetwork(existing),
            }
          : { ok: false, error: 'claimed_by_other', nodeId };
      }
    }

    const token = newHeartbeatToken();
    const tokenHash = hashToken(token);
    const won = await this.prisma.$transaction(async (tx) => {
      let claimed: boolean;
      if (existing) {
        const res = await tx.node.updateMany({
          where: { id: existing.id, userId: null },
          data: { userId, tokenHash, network: network ?? existing.network },
        });
        claimed = res.count === 1;
      } else {
        // ON CONFLICT DO NOTHING: of many concurrent first claims, one row is inserted.
        const inserted = await tx.$executeRaw`
          INSERT INTO nodes (id, external_id, user_id, token_hash, network, updated_at)
          VALUES (gen_random_uuid(), ${nodeId}, ${userId}::uuid, ${tokenHash}, ${network}, now())
          ON CONFLICT (external_id) DO NOTHING`;
        claimed = inserted === 1;
        if (!claimed) {
          const res = await tx.node.updateMany({
            where: { externalId: nodeId, userId: null },
            data: { userId, tokenHash, ...(network ? { network } : {}) },
          });
          claimed = res.count === 1;
        }
      }
      if (claimed) {
        await audit(tx, {
          action: 'node.add',
          subjectType: 'node',
          subjectId: nodeId,
          ...actor,
          details: { via: 'token', ...(network ? { network } : {}) },
        });
      }
      return claimed;
      // A burst of claims queues for the pool's connections; Prisma's default 2 s wait for
      // one would turn a busy moment into an internal error instead of an answer.
    }, CLAIM_TX);
    if (!won) {
      const now = await this.prisma.node.findUnique({ where: { externalId: nodeId } });
      if (now?.userId === userId) return this.add(identity, nodeId, opts);
      return { ok: false, error: 'claimed_by_other', nodeId };
    }
    await this.tokenCache?.learn?.(tokenHash);
    return { ok: true, nodeId, via: 'token', token, rotated: false, network };
  }

  /** Who holds a device's own row, and by which proof (null = watched, no proof). */
  async ownedBy(externalId: string): Promise<{ userId: string | null; ownedVia: string | null } | null> {
    return this.prisma.node.findUnique({ where: { externalId }, select: { userId: true, ownedVia: true } });
  }

  async list(userId: string): Promise<NodeView[]> {
    type Row = Omit<NodeView, 'watching'>;
    const rows: Row[] = this.pool
      ? (
          await this.pool.query<Row>(
            `SELECT id, external_id AS "externalId", label, state, state_since AS "stateSince",
                    last_seen_at AS "lastSeenAt"
               FROM nodes WHERE user_id = $1 ORDER BY external_id`,
            [userId],
          )
        ).rows
      : await this.prisma.node.findMany({
          where: { userId },
          orderBy: { externalId: 'asc' },
          select: {
            id: true,
            externalId: true,
            label: true,
            state: true,
            stateSince: true,
            lastSeenAt: true,
          },
        });
    return rows.map((r) => ({
      ...r,
      externalId: deviceIdOf(r.externalId),
      watching: isWatchRow(r.externalId),
    }));
  }

  /** Unlinks the node from the user; its history stays, its token stops working. */
  async remove(
    identity: IdentityRecord,
    rawId: string,
  ): Promise<{ ok: true; nodeId: string; id: string } | { ok: false; error: 'invalid_id' | 'not_yours' }> {
    const nodeId = rawId.trim();
    if (!this.validId(nodeId)) return { ok: false, error: 'invalid_id' };
    let oldHash: string | null = null;
    const result = await this.prisma.$transaction(async (tx) => {
      const own = await tx.node.findUnique({ where: { externalId: nodeId } });
      const node = own?.userId === identity.userId ? own : await findWatchRow(tx, identity.userId, nodeId);
      if (!node) return { ok: false as const, error: 'not_yours' as const };
      oldHash = node.tokenHash;
      await tx.node.update({ where: { id: node.id }, data: { userId: null, tokenHash: null } });
      await audit(tx, {
        action: 'node.remove',
        subjectType: 'node',
        subjectId: nodeId,
        actorUserId: identity.userId,
        actorIdentityId: identity.id,
      });
      return { ok: true as const, nodeId, id: node.id };
    });
    if (result.ok) await this.tokenCache?.forget(oldHash);
    return result;
  }
}
