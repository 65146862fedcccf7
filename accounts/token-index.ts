// Heartbeat token lookup: sha256(token) → node, cached in a Redis hash shared by every web
// process (one pipelined round trip per batch), filled from PostgreSQL on a miss. Node
// changes (token rotated, node removed) drop the old entry at once.
import type { PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import { sameHash } from './tokens';
import { keys } from '../core/keys';

export interface TokenOwner {
  nodeId: string;
  externalId: string;
}

const NEGATIVE_TTL_MS = 30_000;
const NEGATIVE_MAX = 50_000;

export class TokenIndex {
  private readonly key: string;
  /** Recently unknown hashes, so a flood of bad tokens does not reach PostgreSQL. */
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = keys(prefix).tokens();
  }

  async resolve(hashes: string[]): Promise<Array<TokenOwner | null>> {
    if (hashes.length === 0) return [];
    const cached = await this.redis.hmget(this.key, ...hashes);
    const out: Array<TokenOwner | null> = cached.map((v) => {
      if (!v) return null;
      const [nodeId, externalId] = v.split(' ');
      return nodeId && externalId ? { nodeId, externalId } : null;
    });
    const now = Date.now();
    const misses = [...new Set(hashes.filter((h, i) => !out[i] && !((this.unknown.get(h) ?? 0) > now)))];
    if (misses.length) {
      const rows = await this.prisma.node.findMany({
        where: { tokenHash: { in: misses } },
        select: { id: true, externalId: true, tokenHash: true },
      });
      const found = new Map<string, TokenOwner>();
      for (const r of rows) {
        // Constant-time check of the digest we matched on, as a second guard.
        if (r.tokenHash && misses.some((m) => sameHash(m, r.tokenHash!)))
          found.set(r.tokenHash, { nodeId: r.id, externalId: r.externalId });
      }
      if (found.size) {
        await this.redis.hset(
          this.key,
          Object.fromEntries([...found].map(([h, o]) => [h, `${o.nodeId} ${o.externalId}`])),
        );
      }
      for (const m of misses) if (!found.has(m)) this.rememberUnknown(m, now);
      hashes.forEach((h, i) => {
        if (!out[i]) out[i] = found.get(h) ?? null;
      });
    }
    return out;
  }

  async forget(hash: string | null | undefined): Promise<void> {
    if (!hash) return;
    await this.redis.hdel(this.key, hash);
    // A lookup that read the database just before the change may write the old entry back
    // after this; drop it once more when such a lookup has surely finished.
    setTimeout(() => void this.redis.hdel(this.key, hash).catch(() => {}), 3_000).unref();
  }

  private rememberUnknown(hash: string, now: number) {
    if (this.unknown.size >= NEGATIVE_MAX) this.unknown.clear();
    this.unknown.set(hash, now + NEGATIVE_TTL_MS);
  }
}
