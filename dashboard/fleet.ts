// The fleet page's figures, read from the stores the notifier already keeps: node history
// per source (rolled up per hour into fleet_hours by fleet-rollup.ts), open incidents,
// delivery failures, the liveness stream's lag and dead letters, failed BullMQ jobs, and the
// 429s delivery answered.
import type { Platform } from '@prisma/client';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { keys } from '../core/keys';
import type { QueueHub } from '../core/queue';
import { GROUP } from '../notifier/liveness/consumer';
import { eventsKey } from '../notifier/liveness/store';
import { streamStats } from '../notifier/liveness/stream-health';
import {
  changeBetween,
  copyCounts,
  floorHour,
  HOUR,
  rollupFleet,
  SOURCES,
  type Counts,
} from './fleet-rollup';

export { SOURCES };

export interface Series {
  source: string;
  points: Array<{ at: number; online: number; offline: number }>;
}

/** How far behind the table may be for the page to catch up itself (a few hour windows). */
const CATCH_UP_HOURS = 6;

/**
 * The 24 h and 7 d charts: hourly (24 h) and six-hourly (7 d) points from fleet_hours, plus a
 * live point now (the last stored hour and the transitions since). Each node counts in the
 * state and under the source of its latest transition. A table a few hours behind (workers
 * briefly down) is caught up here; one further behind (a fresh install with a long history)
 * is left to the rollup job, which `kick` queues, and the page says the chart is catching up.
 */
export async function fleetSeries(
  pool: pg.Pool,
  now = Date.now(),
  kick: () => Promise<unknown> = async () => {},
): Promise<{ day: Series[]; week: Series[]; behind: boolean }> {
  const last = floorHour(now);
  const read = () =>
    pool.query<{ hour: Date; source: string; online: number; offline: number }>(
      `SELECT hour, source, online, offline FROM fleet_hours WHERE hour > $1 AND hour <= $2`,
      [new Date(last - 7 * 24 * HOUR), new Date(last)],
    );
  let { rows } = await read();
  const latestOf = () => rows.reduce((m, r) => Math.max(m, r.hour.getTime()), -Infinity);
  let latest = latestOf();
  if (latest < last - 2 * HOUR && latest >= last - CATCH_UP_HOURS * HOUR) {
    await rollupFleet(pool, now);
    ({ rows } = await read());
    latest = latestOf();
  }
  const behind = latest < last - 2 * HOUR;
  if (behind) await kick();
  const at = new Map<number, Counts>();
  for (const r of rows) {
    const h = r.hour.getTime();
    const c = at.get(h) ?? new Map();
    c.set(r.source, { online: r.online, offline: r.offline });
    at.set(h, c);
  }
  // The live point reads at most two hours of transitions; behind, there is none.
  const live = behind
    ? null
    : await changeBetween(pool, latest, now, copyCounts(at.get(latest) ?? new Map()));
  const names = [...new Set([...SOURCES, ...rows.map((r) => r.source), ...(live?.keys() ?? [])])];
  const zero = { online: 0, offline: 0 };
  const series = (times: number[]): Series[] =>
    names.map((source) => ({
      source,
      points: [
        ...times.map((t) => ({ at: t, ...(at.get(t)?.get(source) ?? zero) })),
        ...(live ? [{ at: now, ...(live.get(source) ?? zero) }] : []),
      ],
    }));
  const hours = (n: number, step: number) =>
    [...Array(n).keys()].map((i) => last - (n - 1 - i) * step * HOUR);
  return { day: series(hours(24, 1)), week: series(hours(28, 6)), behind };
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
