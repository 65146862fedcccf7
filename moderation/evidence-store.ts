// What the sources say about each node's hardware (heartbeat GPU inventories, network API
// fields), kept in PostgreSQL with indexes that answer the evidence questions at fleet
// scale: which nodes share a GPU UUID (GIN), what sits behind one ip_hash, which identical
// machines appeared together. Node ids are the external ids members type.
import type pg from 'pg';

export interface NodeFacts {
  nodeId: string;
  /** `heartbeat`, `poll`, or a network name. */
  source: string;
  gpuModel?: string | null;
  gpuCount?: number | null;
  gpuUuids?: string[];
  ipHash?: string | null;
  benchmarkTflops?: number | null;
}

export interface EvidenceRow {
  nodeId: string;
  source: string;
  gpuModel: string | null;
  gpuCount: number | null;
  gpuUuids: string[];
  ipHash: string | null;
  benchmarkTflops: number | null;
  fingerprint: string | null;
  firstSeenAt: Date;
}

/** Identical hardware: model and count, plus the address block when the source gives one. */
export function fingerprintOf(f: NodeFacts): string | null {
  const count = f.gpuCount ?? f.gpuUuids?.length ?? 0;
  if (!f.gpuModel || count <= 0) return null;
  return `${f.gpuModel} ×${count}${f.ipHash ? ` @${f.ipHash.slice(0, 8)}` : ''}`;
}

/** Nodes seen this soon after a source's first row are the initial walk, not new registrations. */
const BASELINE_MS = 5 * 60_000;

export class EvidenceStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Upserts facts; returns the node ids whose facts are new or changed. */
  async record(facts: NodeFacts[], at = new Date()): Promise<string[]> {
    if (facts.length === 0) return [];
    const { rows } = await this.pool.query<{ node_id: string }>(
      `INSERT INTO moderation_node_evidence AS e
         (node_id, source, gpu_model, gpu_count, gpu_uuids, ip_hash, benchmark_tflops, fingerprint, first_seen_at, updated_at)
       SELECT f.node_id, f.source, f.gpu_model, f.gpu_count,
              COALESCE((SELECT array_agg(u) FROM jsonb_array_elements_text(f.uuids) u), '{}'),
              f.ip_hash, f.bench, f.fp, $9, $9
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::jsonb[], $6::text[], $7::float8[], $8::text[])
              AS f(node_id, source, gpu_model, gpu_count, uuids, ip_hash, bench, fp)
       ON CONFLICT (node_id, source) DO UPDATE
         SET gpu_model = EXCLUDED.gpu_model, gpu_count = EXCLUDED.gpu_count, gpu_uuids = EXCLUDED.gpu_uuids,
             ip_hash = EXCLUDED.ip_hash, benchmark_tflops = EXCLUDED.benchmark_tflops,
             fingerprint = EXCLUDED.fingerprint, updated_at = EXCLUDED.updated_at
         WHERE (e.gpu_model, e.gpu_count, e.gpu_uuids, e.ip_hash, e.benchmark_tflops)
               IS DISTINCT FROM (EXCLUDED.gpu_model, EXCLUDED.gpu_count, EXCLUDED.gpu_uuids, EXCLUDED.ip_hash, EXCLUDED.benchmark_tflops)
       RETURNING node_id`,
      [
        facts.map((f) => f.nodeId),
        facts.map((f) => f.source),
        facts.map((f) => f.gpuModel ?? null),
        facts.map((f) => f.gpuCount ?? null),
        facts.map((f) => JSON.stringify(f.gpuUuids ?? [])),
        facts.map((f) => f.ipHash ?? null),
        facts.map((f) => f.benchmarkTflops ?? null),
        facts.map(fingerprintOf),
        at,
      ],
    );
    return [...new Set(rows.map((r) => r.node_id))];
  }

  async rows(nodeIds: string[]): Promise<EvidenceRow[]> {
    if (nodeIds.length === 0) return [];
    const { rows } = await this.pool.query(
      `SELECT node_id AS "nodeId", source, gpu_model AS "gpuModel", gpu_count AS "gpuCount",
              gpu_uuids AS "gpuUuids", ip_hash AS "ipHash", benchmark_tflops AS "benchmarkTflops",
              fingerprint, first_seen_at AS "firstSeenAt"
         FROM moderation_node_evidence WHERE node_id = ANY($1::text[])`,
      [nodeIds],
    );
    return rows as EvidenceRow[];
  }

  /** For each of the UUIDs: every node reporting it (any source). */
  async sharedUuids(uuids: string[], limit = 200): Promise<Array<{ uuid: string; nodeIds: string[] }>> {
    if (uuids.length === 0) return [];
    const { rows } = await this.pool.query<{ uuid: string; node_ids: string[] }>(
      `SELECT u AS uuid, (array_agg(DISTINCT e.node_id))[1:${Math.floor(limit)}] AS node_ids
         FROM moderation_node_evidence e, unnest(e.gpu_uuids) u
        WHERE e.gpu_uuids && $1::text[] AND u = ANY($1::text[])
        GROUP BY u HAVING count(DISTINCT e.node_id) > 1`,
      [uuids],
    );
    return rows.map((r) => ({ uuid: r.uuid, nodeIds: r.node_ids }));
  }

  /** Per ip_hash: the nodes behind it and their GPUs (largest count any source gives per node). */
  async ipClusters(
    ipHashes: string[],
    limit = 200,
  ): Promise<Array<{ ipHash: string; gpus: number; nodeIds: string[] }>> {
    if (ipHashes.length === 0) return [];
    const { rows } = await this.pool.query<{ ip_hash: string; gpus: string; node_ids: string[] }>(
      `WITH behind AS (
         SELECT DISTINCT node_id, ip_hash FROM moderation_node_evidence WHERE ip_hash = ANY($1::text[])
       ), per_node AS (
         SELECT b.ip_hash, b.node_id,
                max(GREATEST(COALESCE(e.gpu_count, 0), cardinality(e.gpu_uuids))) AS gpus
           FROM behind b JOIN moderation_node_evidence e ON e.node_id = b.node_id
          GROUP BY b.ip_hash, b.node_id
       )
       SELECT ip_hash, sum(gpus) AS gpus, (array_agg(node_id ORDER BY node_id))[1:${Math.floor(limit)}] AS node_ids
         FROM per_node GROUP BY ip_hash`,
      [ipHashes],
    );
    return rows.map((r) => ({ ipHash: r.ip_hash, gpus: Number(r.gpus), nodeIds: r.node_ids }));
  }

  /**
   * Nodes with this fingerprint that appeared within `windowMinutes` of `around`, leaving
   * out each source's first walk (everything looks "registered together" at start-up).
   */
  async burst(
    fingerprint: string,
    around: Date,
    windowMinutes: number,
    limit = 200,
  ): Promise<{ fingerprint: string; nodeIds: string[]; spanMinutes: number } | null> {
    const { rows } = await this.pool.query<{ node_ids: string[] | null; span_ms: string | null }>(
      `WITH starts AS (
         SELECT source, min(first_seen_at) AS t0 FROM moderation_node_evidence GROUP BY source
       ), hits AS (
         SELECT e.node_id, e.first_seen_at FROM moderation_node_evidence e JOIN starts s USING (source)
          WHERE e.fingerprint = $1
            AND e.first_seen_at BETWEEN $2::timestamptz - make_interval(mins => $3) AND $2::timestamptz + make_interval(mins => $3)
            AND e.first_seen_at > s.t0 + make_interval(secs => $4)
       )
       SELECT (array_agg(DISTINCT node_id))[1:${Math.floor(limit)}] AS node_ids,
              (extract(epoch FROM max(first_seen_at) - min(first_seen_at)) * 1000)::bigint AS span_ms
         FROM hits`,
      [fingerprint, around, windowMinutes, BASELINE_MS / 1000],
    );
    const r = rows[0];
    if (!r?.node_ids?.length) return null;
    return { fingerprint, nodeIds: r.node_ids, spanMinutes: Number(r.span_ms ?? 0) / 60_000 };
  }

  /**
   * How often the nodes went offline together (at least half of them, and two, in one
   * event) over the last `days`: nodes that are slices of one machine fall together. An
   * event is a run of drops less than a minute apart, so one that straddles a minute
   * boundary counts once (calendar minutes counted a 5-second event twice).
   */
  async coDrops(nodeIds: string[], days: number): Promise<{ coDrops: number; nodes: number; days: number }> {
    if (nodeIds.length < 2) return { coDrops: 0, nodes: nodeIds.length, days };
    const need = Math.max(2, Math.ceil(nodeIds.length / 2));
    const { rows } = await this.pool.query<{ drops: string }>(
      `SELECT count(*) AS drops FROM (
         SELECT e.event FROM (
           SELECT d.node_id,
                  count(*) FILTER (WHERE d.gap IS NULL OR d.gap >= interval '1 minute') OVER (ORDER BY d.at) AS event
             FROM (SELECT t.node_id, t.at, t.at - lag(t.at) OVER (ORDER BY t.at) AS gap
                     FROM node_transitions t JOIN nodes n ON n.id = t.node_id
                    WHERE n.external_id = ANY($1::text[]) AND t.to = 'OFFLINE'
                      AND t.at > now() - make_interval(days => $2)) d
         ) e
         GROUP BY e.event HAVING count(DISTINCT e.node_id) >= $3
       ) x`,
      [nodeIds, days, need],
    );
    return { coDrops: Number(rows[0]?.drops ?? 0), nodes: nodeIds.length, days };
  }

  /** External ids of internal node ids (heartbeat inventories are keyed by the internal id). */
  async externalIds(internalIds: string[]): Promise<Map<string, string>> {
    if (internalIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; external_id: string }>(
      `SELECT id, external_id FROM nodes WHERE id = ANY($1::uuid[])`,
      [internalIds],
    );
    return new Map(rows.map((r) => [r.id, r.external_id]));
  }
}

/** Heartbeat inventory (model and UUID per card) as facts. */
export function heartbeatFacts(nodeId: string, gpus: Array<{ model: string; uuid: string }>): NodeFacts {
  const counts = new Map<string, number>();
  for (const g of gpus) counts.set(g.model, (counts.get(g.model) ?? 0) + 1);
  const model = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return {
    nodeId,
    source: 'heartbeat',
    gpuModel: model,
    gpuCount: gpus.length,
    gpuUuids: [...new Set(gpus.map((g) => g.uuid))].sort(),
  };
}

/** A node of the network API (poll source) as facts. */
export function networkFacts(
  n: {
    id: string;
    gpu_model?: string | null;
    gpu_count?: number | null;
    gpu_uuids?: string[] | null;
    ip_hash?: string | null;
    benchmark_tflops?: number | null;
  },
  source = 'poll',
): NodeFacts {
  return {
    nodeId: n.id,
    source,
    gpuModel: n.gpu_model ?? null,
    gpuCount: n.gpu_count ?? null,
    gpuUuids: [...new Set(n.gpu_uuids ?? [])].sort(),
    ipHash: n.ip_hash ?? null,
    benchmarkTflops: n.benchmark_tflops ?? null,
  };
}
