// Queues messages for users. Picks the identity to try first (reachable, most recently
// seen), and on the worker side falls back through the user's other identities.
import type { Identity, Platform, PrismaClient } from '@prisma/client';
import type pg from 'pg';
import type { UserMessenger } from '../../accounts/messenger';
import type { MessageKey } from '../../core/i18n';
import type { LocalizedBlock, LocalizedParams, OutboundMessage, QueueHub } from '../../core/queue';
import { scrub } from '../../core/scrub';

export const DELIVERY_QUEUE: Record<Platform, 'deliver-telegram' | 'deliver-discord'> = {
  TELEGRAM: 'deliver-telegram',
  DISCORD: 'deliver-discord',
};

/** BullMQ refuses custom job ids with ':' (its key separator). */
export function jobIdFor(dedupeKey: string, platform: Platform): string {
  return `${dedupeKey.replace(/:/g, '.')}@${platform}`;
}

/** One message for one user, for {@link DeliveryService.sendToUsers}. */
export interface UserMessage {
  userId: string;
  content: LocalizedBlock[];
  dedupeKey: string;
  kind: string;
}

/** A storm's first jobs per platform (about a second of sends), then the rest in bulks. */
const FIRST_CHUNK = 50;
const CHUNK = 250;

export class DeliveryService implements UserMessenger {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly hub: QueueHub,
    private readonly enabled: Set<Platform>,
    /** Plain SQL for the bulk read of a mass outage: Prisma builds a 10,000-id query in
     *  WebAssembly and JS at ~170 MB of heap; the pool reads the same rows for almost none. */
    private readonly pool?: pg.Pool,
  ) {}

  /** Identities in the order to try: reachable ones on enabled platforms, where the person was active last first. */
  async candidates(userId: string, exclude: string[] = []): Promise<Identity[]> {
    const rows = await this.prisma.identity.findMany({
      where: { userId, dmReachable: true },
      orderBy: [{ lastActiveAt: 'desc' }, { createdAt: 'asc' }],
    });
    return rows.filter((r) => this.enabled.has(r.platform) && !exclude.includes(r.platform));
  }

  /** Queues `content` for the user; returns false when no platform can reach them. */
  async sendToUser(
    userId: string,
    content: LocalizedBlock[],
    opts: { dedupeKey: string; kind: string; fallback?: boolean; delayMs?: number },
  ): Promise<boolean> {
    const [first] = await this.candidates(userId);
    if (!first) {
      await this.recordFailure(userId, opts.dedupeKey, opts.kind, 'no reachable identity', []);
      return false;
    }
    await this.enqueue(
      {
        dedupeKey: opts.dedupeKey,
        userId,
        identityId: first.id,
        content,
        kind: opts.kind,
        fallback: opts.fallback ?? true,
        tried: [],
      },
      first.platform,
      opts.delayMs,
    );
    return true;
  }

  /**
   * Many messages at once (an alert storm): one identity query and one bulk add per
   * platform instead of a round trip each. Same choice of identity as sendToUser.
   */
  async sendToUsers(messages: UserMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const users = [...new Set(messages.map((m) => m.userId))];
    const rows: Array<Pick<Identity, 'id' | 'userId' | 'platform'>> = this.pool
      ? (
          await this.pool.query<Pick<Identity, 'id' | 'userId' | 'platform'>>(
            `SELECT id, user_id AS "userId", platform::text AS platform FROM identities
              WHERE user_id = ANY($1::uuid[]) AND dm_reachable
              ORDER BY last_active_at DESC, created_at ASC`,
            [users],
          )
        ).rows
      : await this.prisma.identity.findMany({
          where: { userId: { in: users }, dmReachable: true },
          orderBy: [{ lastActiveAt: 'desc' }, { createdAt: 'asc' }],
          select: { id: true, userId: true, platform: true },
        });
    const first = new Map<string, Pick<Identity, 'id' | 'userId' | 'platform'>>();
    for (const r of rows) if (this.enabled.has(r.platform) && !first.has(r.userId)) first.set(r.userId, r);
    const byPlatform = new Map<Platform, OutboundMessage[]>();
    for (const m of messages) {
      const to = first.get(m.userId);
      if (!to) {
        await this.recordFailure(m.userId, m.dedupeKey, m.kind, 'no reachable identity', []);
        continue;
      }
      const list = byPlatform.get(to.platform) ?? [];
      list.push({ ...m, identityId: to.id, fallback: true, tried: [] });
      byPlatform.set(to.platform, list);
    }
    // Small chunks first, both platforms in turn: the delivery workers (often this process)
    // start sending while the rest is serialized and added. One bulk of 1,000 held this
    // event loop ~0.2 s before the first DM of a storm could leave.
    const chunks = [...byPlatform].map(([platform, list]) => ({ platform, list, at: 0 }));
    for (let round = 0; chunks.some((c) => c.at < c.list.length); round++) {
      const size = round === 0 ? FIRST_CHUNK : CHUNK;
      for (const c of chunks) {
        if (c.at >= c.list.length) continue;
        const part = c.list.slice(c.at, c.at + size);
        c.at += part.length;
        await this.hub.queue(DELIVERY_QUEUE[c.platform]).addBulk(
          part.map((msg) => ({
            name: DELIVERY_QUEUE[c.platform],
            data: msg,
            opts: { jobId: jobIdFor(msg.dedupeKey, c.platform) },
          })),
        );
      }
    }
  }

  async enqueue(msg: OutboundMessage, platform: Platform, delayMs?: number): Promise<void> {
    await this.hub.add(DELIVERY_QUEUE[platform], msg, {
      jobId: jobIdFor(msg.dedupeKey, platform),
      ...(delayMs ? { delay: delayMs } : {}),
    });
  }

  async recordFailure(
    userId: string,
    dedupeKey: string,
    kind: string,
    reason: string,
    tried: string[],
  ): Promise<void> {
    // Staff read this table: the platform's error text may echo a URL with the bot token.
    const safe = scrub(reason).slice(0, 500);
    await this.prisma.deliveryFailure.upsert({
      where: { dedupeKey },
      create: { userId, dedupeKey, kind, reason: safe, tried },
      update: { reason: safe, tried, at: new Date() },
    });
  }

  /** UserMessenger: a one-paragraph notice. */
  async tell(userId: string, key: MessageKey, params: LocalizedParams, dedupeKey: string): Promise<void> {
    await this.sendToUser(userId, [{ kind: 'text', key, params }], { dedupeKey, kind: 'notice' });
  }
}
