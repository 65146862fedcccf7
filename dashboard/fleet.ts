// The fleet page's figures, read from the stores the notifier already keeps: node history
// (node_transitions) bucketed per source, open incidents, delivery failures, the liveness
// stream's lag and dead letters, failed BullMQ jobs, and the 429s delivery answered.
import type { Platform } from '@prisma/client';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { keys } from '../core/keys';
import type { QueueHub } from '../core/queue';
import { GROUP } from '../notifier/liveness/consumer';
import { eventsKey } from '../notifier/liveness/store';
import { streamStats } from '../notifier/liveness/stream-health';

/** The sources charted (always, so a silent source shows as empty rather than missing). */
export const SOURCES = ['push', 'ionet', 'nosana', 'akash'] as const;
const HOUR = 3_600_000;

export interface Series {
  source: string;
  points: Array<{ at: number; online: number; offline: number }>;
}

/**
 * Nodes online and offline at each bucket end: each node counts in the state and under the
 * source of its latest transition at that time. `poll` (the reference API) joins `push` only
 * when it has data of its own; it is charted under its own name.
 */
export async function nodeSeries(
  pool: pg.Pool,
  spanMs: number,
  buckets: number,
  now = Date.now(),
): Promise<Series[]> {
  const step = spanMs / buckets;
  const { rows } = await pool.query<{ t: Date; source: string; online: number; offline: number }>(
    `WITH b AS (SELECT generate_series($1::timestamptz, $2::timestamptz, $3::interval) AS t)
     SELECT b.t, x.source,
            count(*) FILTER (WHERE x.state = 'ONLINE')::int AS online,
            count(*) FILTER (WHERE x.state = 'OFFLINE')::int AS offline
       FROM b CROSS JOIN LATERAL (
         SELECT DISTINCT ON (nt.node_id) nt.source, nt."to"::text AS state
           FROM node_transitions nt
          WHERE nt.at <= b.t
          ORDER BY nt.node_id, nt.at DESC
       ) x
      GROUP BY b.t, x.source
      ORDER BY b.t`,
    [new Date(now - spanMs + step), new Date(now), `${Math.round(step / 1000)} seconds`],
  );
  const names = [...new Set([...SOURCES, ...rows.map((r) => r.source)])];
  const times = [...Array(buckets).keys()].map((i) => now - spanMs + step * (i + 1));
  return names.map((source) => ({
    source,
    points: times.map((at) => {
      const r = rows.find((x) => x.source === source && Math.abs(x.t.getTime() - at) < 1000);
      return { at, online: r?.online ?? 0, offline: r?.offline ?? 0 };
    }),
  }));
}

export interface IncidentRow {
  openedAt: Date;
  user: string;
  down: number;
  nodes: string[];
  alerts: number;
}

export async function openIncidents(pool: pg.Pool, limit = 50): Promise<IncidentRow[]> {
  const { rows } = await pool.query<{
    opened_at: Date;
    user: string | null;
    down: number;
    nodes: string[];
    alerts: number;
  }>(
    `SELECT i.opened_at, i.alert_count AS alerts,
            (SELECT COALESCE('@' || id.username, lower(id.platform::text) || ' ' || id.platform_user_id)
               FROM identities id WHERE id.user_id = i.user_id ORDER BY id.created_at LIMIT 1) AS user,
            count(n.node_id) FILTER (WHERE n.up_at IS NULL)::int AS down,
            (array_agg(nd.external_id ORDER BY nd.external_id) FILTER (WHERE n.up_at IS NULL))[1:5] AS nodes
       FROM incidents i
       LEFT JOIN incident_nodes n ON n.incident_id = i.id
       LEFT JOIN nodes nd ON nd.id = n.node_id
      WHERE i.closed_at IS NULL
      GROUP BY i.id
      ORDER BY i.opened_at DESC
      LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    openedAt: r.opened_at,
    user: r.user ?? '—',
    down: r.down,
    nodes: (r.nodes ?? []).filter(Boolean),
    alerts: r.alerts,
  }));
}

export interface FailureRow {
  at: Date;
  user: string;
  kind: string;
  reason: string;
  tried: string[];
}

export async function deliveryFailures(pool: pg.Pool, limit = 50): Promise<FailureRow[]> {
  const { rows } = await pool.query<{
    at: Date;
    user: string | null;
    kind: string;
    reason: string;
    tried: string[];
  }>(
    `SELECT f.at, f.kind, f.reason, f.tried,
            (SELECT COALESCE('@' || id.username, lower(id.platform::text) || ' ' || id.platform_user_id)
               FROM identities id WHERE id.user_id = f.user_id ORDER BY id.created_at LIMIT 1) AS user
       FROM delivery_failures f ORDER BY f.at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ ...r, user: r.user ?? '—' }));
}

export interface PipelineHealth {
  lag: number | null;
  pending: number;
  deadLetters: number;
  /** Failed jobs per queue (BullMQ keeps them: the queues' dead letters). */
  failedJobs: Record<string, number>;
  /** 429s in the last 24 h, per platform. */
  throttled: Record<string, number>;
}

/** Delivery's 429 hook (cli/workers.ts): one count per hour, kept 8 days. */
export async function record429(redis: Redis, prefix: string, platform: Platform, now = Date.now()) {
  const key = keys(prefix).dashboard429(Math.floor(now / HOUR));
  await redis
    .multi()
    .hincrby(key, platform, 1)
    .expire(key, 8 * 24 * 3600)
    .exec();
}

export async function pipelineHealth(hub: QueueHub, now = Date.now()): Promise<PipelineHealth> {
  const [stats, depths] = await Promise.all([
    streamStats(hub.redis, eventsKey(hub.prefix), GROUP),
    hub.depths().catch(() => ({}) as Record<string, Record<string, number>>),
  ]);
  const hour = Math.floor(now / HOUR);
  const k = keys(hub.prefix);
  const hours = await Promise.all(
    [...Array(24).keys()].map((i) => hub.redis.hgetall(k.dashboard429(hour - i))),
  );
  const throttled: Record<string, number> = {};
  for (const h of hours)
    for (const [p, n] of Object.entries(h)) throttled[p] = (throttled[p] ?? 0) + Number(n);
  const failedJobs = Object.fromEntries(
    Object.entries(depths)
      .map(([q, c]) => [q, c.failed ?? 0] as const)
      .filter(([, n]) => n > 0),
  );
  return { lag: stats.lag, pending: stats.pending, deadLetters: stats.deadLetters, failedJobs, throttled };
}
