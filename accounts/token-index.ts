// Heartbeat token lookup: sha256(token) → node, in a Redis hash shared by every web process
// (one pipelined round trip per batch). The hash is a COMPLETE index of valid token hashes:
// filled from PostgreSQL once (and again whenever Redis comes back empty), then kept up to
// date by every token change (`learn`, `forget`). While it is marked complete, a hash that
// is not in it is unknown, and that answer never costs a PostgreSQL query: a flood of random
// tokens cannot drain the database pool. While it is incomplete (first start, Redis lost its
// data), misses go to PostgreSQL through a narrow lane (bounded concurrency, a bounded
// negative cache) and one process rebuilds the index.
//
// Memory: one hash field per node with a token (64-char hex key, "<uuid> <external id>"
// value), about 200 bytes per node in Redis (see README, "Operations"). No per-process cache
// grows with traffic: the negative cache is an LRU of at most NEGATIVE_MAX entries.
import type { PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import { sameHash } from './tokens';
import { keys } from '../core/keys';

export interface TokenOwner {
  nodeId: string;
  externalId: string;
}

/** Thrown when a lookup could not be answered now (index incomplete and the lane is full). */
export class TokenLookupBusy extends Error {
  constructor() {
    super('token index is being rebuilt; retry shortly');
    this.name = 'TokenLookupBusy';
  }
}

const NEGATIVE_TTL_MS = 30_000;
/** Field that marks the index complete; no sha256 hex digest can collide with it. */
const COMPLETE = '!complete';
export const NEGATIVE_MAX = 10_000;
const REBUILD_PAGE = 10_000;
const REBUILD_LOCK_MS = 120_000;

export interface TokenIndexOptions {
  /** A pool of its own for lookups (the web role's ingest pool), apart from the workers'. */
  pool?: pg.Pool;
  /** PostgreSQL lookups in flight at once per process while the index is incomplete. */
  missLane?: number;
}

export class TokenIndex {
  readonly key: string;
  private readonly lockKey: string;
  private readonly unknown = new LRUCache<string, true>({ max: NEGATIVE_MAX, ttl: NEGATIVE_TTL_MS });
  private inFlight = 0;
  private readonly lane: number;
  private rebuilding: Promise<number> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly redis: Redis,
    prefix: string,
    private readonly opts: TokenIndexOptions = {},
  ) {
    this.key = keys(prefix).tokens();
    this.lockKey = keys(prefix).tokensRebuild();
    this.lane = opts.missLane ?? 2;
  }

  async resolve(hashes: string[]): Promise<Array<TokenOwner | null>> {
    if (hashes.length === 0) return [];
    // The "complete" mark is a field of the same hash: evicted or lost together with it.
    const cached = await this.redis.hmget(this.key, COMPLETE, ...hashes);
    const complete = cached.shift();
    const out: Array<TokenOwner | null> = cached.map((v) => {
      if (!v) return null;
      const [nodeId, externalId] = v.split(' ');
      return nodeId && externalId ? { nodeId, externalId } : null;
    });
    if (complete) return out;

    // Incomplete index: start a rebuild (one process wins the lock) and look misses up.
    void this.rebuild().catch(() => {});
    const misses = [...new Set(hashes.filter((h, i) => !out[i] && !this.unknown.has(h)))];
    if (misses.length === 0) return out;
    if (this.inFlight >= this.lane) throw new TokenLookupBusy();
    this.inFlight++;
    let rows: Array<{ id: string; external_id: string; token_hash: string }>;
    try {
      rows = await this.query(
        'SELECT id, external_id, token_hash FROM nodes WHERE token_hash = ANY($1::text[])',
        [misses],
      );
    } finally {
      this.inFlight--;
    }
    const found = new Map<string, TokenOwner>();
    for (const r of rows) {
      // Constant-time check of the digest we matched on, as a second guard.
      if (misses.some((m) => sameHash(m, r.token_hash)))
        found.set(r.token_hash, { nodeId: r.id, externalId: r.external_id });
    }
    if (found.size) await this.redis.hset(this.key, this.fields(found));
    for (const m of misses) if (!found.has(m)) this.unknown.set(m, true);
    hashes.forEach((h, i) => {
      if (!out[i]) out[i] = found.get(h) ?? null;
    });
    return out;
  }

  /** Records a token just issued, so that it works at once while the index is complete. */
  async learn(hash: string): Promise<void> {
    const rows = await this.query<{ id: string; external_id: string; token_hash: string }>(
      'SELECT id, external_id, token_hash FROM nodes WHERE token_hash = $1',
      [hash],
    );
    const row = rows[0];
    if (row)
      await this.redis.hset(
        this.key,
        this.fields(new Map([[hash, { nodeId: row.id, externalId: row.external_id }]])),
      );
    this.unknown.delete(hash);
  }

  async forget(hash: string | null | undefined): Promise<void> {
    if (!hash) return;
    await this.redis.hdel(this.key, hash);
    // A lookup or rebuild page that read the database just before the change may write the
    // old entry back after this; drop it once more when such a read has surely finished.
    setTimeout(() => void this.redis.hdel(this.key, hash).catch(() => {}), 3_000).unref();
  }

  async isComplete(): Promise<boolean> {
    return (await this.redis.hexists(this.key, COMPLETE)) === 1;
  }

  /**
   * Loads every token hash from PostgreSQL in pages (keyset on id), then marks the index
   * complete. Only the process holding the lock does it; others return 0 at once.
   */
  rebuild(): Promise<number> {
    this.rebuilding ??= (async () => {
      const token = `${process.pid}:${Date.now()}`;
      const got = await this.redis.set(this.lockKey, token, 'PX', REBUILD_LOCK_MS, 'NX');
      if (got !== 'OK') return 0;
      try {
        let after = '00000000-0000-0000-0000-000000000000';
        let total = 0;
        for (;;) {
          const rows = await this.query<{ id: string; external_id: string; token_hash: string }>(
            `SELECT id, external_id, token_hash FROM nodes
              WHERE token_hash IS NOT NULL AND id > $1::uuid ORDER BY id LIMIT ${REBUILD_PAGE}`,
            [after],
          );
          if (rows.length === 0) break;
          await this.redis.hset(
            this.key,
            this.fields(
              new Map(rows.map((r) => [r.token_hash, { nodeId: r.id, externalId: r.external_id }])),
            ),
          );
          total += rows.length;
          after = rows[rows.length - 1]!.id;
          await this.redis.pexpire(this.lockKey, REBUILD_LOCK_MS);
        }
        await this.redis.hset(this.key, COMPLETE, String(Date.now()));
        this.unknown.clear();
        return total;
      } finally {
        await this.redis.del(this.lockKey).catch(() => {});
      }
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  private fields(map: Map<string, TokenOwner>): Record<string, string> {
    return Object.fromEntries([...map].map(([h, o]) => [h, `${o.nodeId} ${o.externalId}`]));
  }

  private async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (this.opts.pool) return (await this.opts.pool.query(sql, params)).rows as T[];
    return this.prisma.$queryRawUnsafe<T[]>(sql, ...params);
  }
}
