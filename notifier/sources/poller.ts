// The reference network API source (docs/contracts.md "Network API poller"): walks every
// page, records what the network knows about each node (owner wallet, GPUs) so wallet
// claims work, and reports the linked nodes as snapshots; the shared sink and runner do
// liveness, the view and the outage notices, as for every other source.
import type pg from 'pg';
import { z } from 'zod';
import { hostOf } from './http';
import {
  SourceOutage,
  type NodeSnapshot,
  type SnapshotSource,
  type SourceRound,
  type WatchedNode,
} from './types';

const networkNode = z.object({
  id: z.string().min(1).max(128),
  status: z.enum(['online', 'offline']),
  last_seen: z.string().nullable().optional(),
  owner_wallet: z.string().max(128).nullable().optional(),
  gpu_model: z.string().max(128).nullable().optional(),
  gpu_count: z.number().int().min(0).max(1024).nullable().optional(),
  gpu_uuids: z.array(z.string().max(128)).max(1024).nullable().optional(),
  ip_hash: z.string().max(256).nullable().optional(),
  benchmark_tflops: z.number().nullable().optional(),
});
const page = z.object({ nodes: z.array(z.unknown()), next_cursor: z.string().nullable().optional() });

export type NetworkNode = z.infer<typeof networkNode>;

export interface PollerOptions {
  baseUrl: string;
  pool: pg.Pool;
  pageSize?: number;
  timeoutMs?: number;
  attempts?: number;
  /** Every valid node of each page, as the network described it (moderation keeps the hardware facts). */
  onNodes?: (nodes: NetworkNode[]) => Promise<void>;
}

/** Upserts what the network says about nodes; returns the linked ones. */
async function record(pool: pg.Pool, nodes: NetworkNode[]): Promise<WatchedNode[]> {
  if (nodes.length === 0) return [];
  await pool.query(
    `INSERT INTO nodes (id, external_id, owner_wallet, gpu_model, gpu_count, updated_at)
     SELECT gen_random_uuid(), n.id, n.w, n.m, n.c, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS n(id, w, m, c)
     ON CONFLICT (external_id) DO UPDATE
       SET owner_wallet = EXCLUDED.owner_wallet, gpu_model = EXCLUDED.gpu_model, gpu_count = EXCLUDED.gpu_count, updated_at = now()
       WHERE nodes.owner_wallet IS DISTINCT FROM EXCLUDED.owner_wallet
          OR nodes.gpu_model IS DISTINCT FROM EXCLUDED.gpu_model
          OR nodes.gpu_count IS DISTINCT FROM EXCLUDED.gpu_count`,
    [
      nodes.map((n) => n.id),
      nodes.map((n) => n.owner_wallet ?? null),
      nodes.map((n) => n.gpu_model ?? null),
      nodes.map((n) => n.gpu_count ?? null),
    ],
  );
  const { rows } = await pool.query<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM nodes
      WHERE external_id = ANY($1::text[]) AND user_id IS NOT NULL AND network IS NULL`,
    [nodes.map((n) => n.id)],
  );
  return rows.map((r) => ({ id: r.id, externalId: r.external_id }));
}

function snapshotOf(n: NetworkNode, now: number): NodeSnapshot {
  const seen = n.last_seen ? Date.parse(n.last_seen) || 0 : 0;
  return {
    externalId: n.id,
    rawState: n.status,
    // "Online" with no last-seen time proves nothing: it neither beats nor alerts.
    liveness: n.status === 'online' && seen <= 0 ? 'other' : n.status,
    ...(seen > 0 ? { lastSeen: Math.min(seen, now) } : {}),
    observedAt: now,
    gpuModel: n.gpu_model ?? null,
    gpuCount: n.gpu_count ?? null,
    gpuUuids: n.gpu_uuids ?? [],
    ownerWallet: n.owner_wallet ?? null,
    verdicts: {},
  };
}

export class PollSource implements SnapshotSource {
  readonly name = 'poll' as const;
  readonly label: string;
  private linked = new Map<string, WatchedNode>();

  constructor(private readonly opts: PollerOptions) {
    this.label = hostOf(opts.baseUrl);
  }

  private async fetchPage(cursor: string | null): Promise<z.infer<typeof page>> {
    const url = new URL(`${this.opts.baseUrl.replace(/\/+$/, '')}/nodes`);
    url.searchParams.set('limit', String(this.opts.pageSize ?? 500));
    if (cursor) url.searchParams.set('cursor', cursor);
    const attempts = this.opts.attempts ?? 3;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
        if (!res.ok) throw new SourceOutage(`HTTP ${res.status}`);
        return page.parse(await res.json());
      } catch (err) {
        last = err;
        if (i + 1 < attempts) await new Promise((r) => setTimeout(r, 200 * 2 ** i));
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  async resolve(externalIds: string[]): Promise<WatchedNode[]> {
    return externalIds.flatMap((id) => {
      const w = this.linked.get(id);
      return w ? [w] : [];
    });
  }

  async round(now: number): Promise<SourceRound> {
    const snapshots: NodeSnapshot[] = [];
    this.linked = new Map();
    let cursor: string | null = null;
    try {
      do {
        const p = await this.fetchPage(cursor);
        const valid = p.nodes
          .map((n) => networkNode.safeParse(n))
          .flatMap((r) => (r.success ? [r.data] : []));
        const linked = await record(this.opts.pool, valid);
        await this.opts.onNodes?.(valid);
        for (const w of linked) this.linked.set(w.externalId, w);
        const t = Date.now();
        for (const n of valid) if (this.linked.has(n.id)) snapshots.push(snapshotOf(n, Math.max(t, now)));
        cursor = p.next_cursor ?? null;
      } while (cursor);
    } catch (err) {
      return { ok: false, error: (err as Error).message.slice(0, 200), snapshots };
    }
    return { ok: true, snapshots };
  }
}
