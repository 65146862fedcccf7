// The network API source (the reference network API shape; docs/architecture.md "Node status sources"): walks every page, records what
// the network knows about each node (owner wallet, GPUs) and feeds the poll liveness of
// linked nodes that have no heartbeat agent. When the API fails, the source is marked
// unhealthy (its nodes are "unknown", never "offline"), and staff are told once.
import type pg from 'pg';
import { z } from 'zod';
import { formatTime } from '../../core/i18n/format';
import type { Logger } from '../../core/logger';
import type { LivenessStore } from '../liveness/store';
import type { SourceHealth } from '../liveness/source-health';
import type { PollViewStore } from '../poll-view';
import type { StaffNotifier } from '../staff';

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

export interface PollerDeps {
  baseUrl: string;
  pool: pg.Pool;
  store: LivenessStore;
  view: PollViewStore;
  health: SourceHealth;
  staff?: StaffNotifier;
  logger: Logger;
  graceMs: number;
  pageSize?: number;
  timeoutMs?: number;
  attempts?: number;
  now?: () => number;
}

export interface PollResult {
  ok: boolean;
  pages: number;
  nodes: number;
  error?: string;
}

async function fetchPage(deps: PollerDeps, cursor: string | null): Promise<z.infer<typeof page>> {
  const url = new URL(`${deps.baseUrl.replace(/\/+$/, '')}/nodes`);
  url.searchParams.set('limit', String(deps.pageSize ?? 500));
  if (cursor) url.searchParams.set('cursor', cursor);
  const attempts = deps.attempts ?? 3;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return page.parse(await res.json());
    } catch (err) {
      last = err;
      if (i + 1 < attempts) await new Promise((r) => setTimeout(r, 200 * 2 ** i));
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/** Upserts what the network says about nodes; returns the linked ones. */
async function record(pool: pg.Pool, nodes: NetworkNode[]) {
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
  const { rows } = await pool.query<{ id: string; external_id: string; token_hash: string | null }>(
    `SELECT id, external_id, token_hash FROM nodes WHERE external_id = ANY($1::text[]) AND user_id IS NOT NULL`,
    [nodes.map((n) => n.id)],
  );
  return rows;
}

export async function pollOnce(deps: PollerDeps): Promise<PollResult> {
  const now = deps.now ?? Date.now;
  let cursor: string | null = null;
  let pages = 0;
  let count = 0;
  try {
    do {
      const p = await fetchPage(deps, cursor);
      const valid = p.nodes.map((n) => networkNode.safeParse(n)).flatMap((r) => (r.success ? [r.data] : []));
      const linked = await record(deps.pool, valid);
      const byExternal = new Map(valid.map((n) => [n.id, n]));
      const t = now();
      const views = [];
      const beats = [];
      const downs = [];
      for (const row of linked) {
        const n = byExternal.get(row.external_id)!;
        const seen = Math.min(n.last_seen ? Date.parse(n.last_seen) || 0 : 0, t);
        views.push({ nodeId: row.id, status: n.status, lastSeen: seen });
        // Nodes with a heartbeat agent are judged by their own beats; the network view is shown beside.
        if (row.token_hash) continue;
        if (n.status === 'online' && seen > 0) beats.push({ nodeId: row.id, at: seen });
        else if (n.status === 'offline') downs.push(row.id);
      }
      await deps.view.write(views);
      await deps.store.beat(beats, t - deps.graceMs);
      await deps.store.markDown(downs);
      pages++;
      count += valid.length;
      cursor = p.next_cursor ?? null;
    } while (cursor);
  } catch (err) {
    const error = (err as Error).message.slice(0, 200);
    if (await deps.health.set('poll', false, error, now())) {
      deps.logger.warn({ error }, 'network API unreachable: poll source paused');
      await deps.staff?.notify('staff.sourceDown', {
        source: deps.baseUrl,
        since: formatTime(new Date(now())),
        error,
      });
    }
    return { ok: false, pages, nodes: count, error };
  }
  if (await deps.health.set('poll', true, undefined, now())) {
    deps.logger.info('network API answers again: poll source resumed');
    await deps.staff?.notify('staff.sourceUp', { source: deps.baseUrl });
  }
  return { ok: true, pages, nodes: count };
}
