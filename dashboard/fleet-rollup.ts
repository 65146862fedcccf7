// The fleet chart's summary table: nodes online and offline per source at the end of each
// UTC hour (fleet_hours), so the page reads at most 8 days of rows and one partial hour of
// transitions instead of the whole history on every view. The workers roll it up every few
// minutes (a BullMQ job scheduler); the page rolls up itself only when the table is behind.
//
// Each run takes the state of every node at a base hour afresh (one index probe per node),
// then walks forward an hour at a time by the nodes that changed in that hour. The base is
// REWIND_HOURS back, so transitions stored late (stream lag, a replay after a crash) are
// counted, and an error never carries past one run.
import type pg from 'pg';
import type { QueueHub } from '../core/queue';

export const HOUR = 3_600_000;
/** Hours recomputed on every run: transitions stored up to this late still count. */
export const REWIND_HOURS = 3;
/** Hours filled when the table is empty or far behind (the week chart plus a day). */
const FILL_HOURS = 8 * 24;
const KEEP_DAYS = 35;
/** pg_advisory_xact_lock key: one rollup at a time across processes. */
const LOCK_KEY = 0x0f1ee7;

export type Counts = Map<string, { online: number; offline: number }>;

export const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR;

/** A pool or one of its clients (the rollup runs in a transaction, the page on the pool). */
export interface Querier {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The sources charted (always, so a silent source shows as empty rather than missing). */
export const SOURCES = ['push', 'ionet', 'nosana', 'akash'] as const;

function add(into: Counts, source: string, state: string, n: number) {
  const c = into.get(source) ?? { online: 0, offline: 0 };
  if (state === 'ONLINE') c.online += n;
  else if (state === 'OFFLINE') c.offline += n;
  into.set(source, c);
}

/** Every node's state at `at`, per source (its latest transition's source and state). */
export async function snapshot(db: Querier, at: number): Promise<Counts> {
  const { rows } = await db.query<{ source: string; online: number; offline: number }>(
    `SELECT lt.source,
            count(*) FILTER (WHERE lt.state = 'ONLINE')::int AS online,
            count(*) FILTER (WHERE lt.state = 'OFFLINE')::int AS offline
       FROM nodes n
       CROSS JOIN LATERAL (
         SELECT t.source, t."to"::text AS state FROM node_transitions t
          WHERE t.node_id = n.id AND t.at <= $1
          ORDER BY t.at DESC, t.id DESC LIMIT 1
       ) lt
      GROUP BY lt.source`,
    [new Date(at)],
  );
  return new Map(rows.map((r) => [r.source, { online: r.online, offline: r.offline }]));
}

/**
 * How the counts change from `from` to `to`: each node with a transition in (from, to]
 * leaves its state at `from` and joins its state at `to`. Reads only that window's rows.
 */
export async function changeBetween(db: Querier, from: number, to: number, into: Counts): Promise<Counts> {
  const { rows } = await db.query<{ source: string; state: string; n: number }>(
    `WITH changed AS (
       SELECT DISTINCT ON (t.node_id) t.node_id, t.source, t."to"::text AS state
         FROM node_transitions t
        WHERE t.at > $1 AND t.at <= $2
        ORDER BY t.node_id, t.at DESC, t.id DESC
     )
     SELECT source, state, sum(n)::int AS n FROM (
       SELECT source, state, 1 AS n FROM changed
       UNION ALL
       SELECT p.source, p.state, -1 FROM changed c
         CROSS JOIN LATERAL (
           SELECT t.source, t."to"::text AS state FROM node_transitions t
            WHERE t.node_id = c.node_id AND t.at <= $1
            ORDER BY t.at DESC, t.id DESC LIMIT 1
         ) p
     ) d GROUP BY source, state`,
    [new Date(from), new Date(to)],
  );
  for (const r of rows) add(into, r.source, r.state, r.n);
  return into;
}

export const copyCounts = (c: Counts): Counts => new Map([...c].map(([k, v]) => [k, { ...v }]));

/** Brings fleet_hours up to the last full hour before `now`; returns how many hours were written. */
export async function rollupFleet(pool: pg.Pool, now = Date.now()): Promise<{ hours: number }> {
  const last = floorHour(now);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const { rows } = await client.query<{ latest: Date | null }>(
      'SELECT max(hour) AS latest FROM fleet_hours',
    );
    const latest = rows[0]?.latest?.getTime() ?? null;
    const start =
      latest === null || latest < last - FILL_HOURS * HOUR
        ? last - FILL_HOURS * HOUR
        : Math.min(latest, last - REWIND_HOURS * HOUR);
    let counts = await snapshot(client, start);
    const hours: number[] = [];
    const sources: string[] = [];
    const online: number[] = [];
    const offline: number[] = [];
    // Every charted source gets a row each hour, so an empty fleet still marks the hour done.
    const keep = (h: number, c: Counts) => {
      for (const s of SOURCES) if (!c.has(s)) c.set(s, { online: 0, offline: 0 });
      for (const [s, v] of c) {
        hours.push(h);
        sources.push(s);
        online.push(v.online);
        offline.push(v.offline);
      }
    };
    keep(start, counts);
    for (let h = start + HOUR; h <= last; h += HOUR) {
      counts = await changeBetween(client, h - HOUR, h, copyCounts(counts));
      keep(h, counts);
    }
    await client.query(
      `INSERT INTO fleet_hours (hour, source, online, offline)
       SELECT to_timestamp(h / 1000.0), s, o, f
         FROM unnest($1::float8[], $2::text[], $3::int[], $4::int[]) AS x(h, s, o, f)
       ON CONFLICT (hour, source) DO UPDATE SET online = EXCLUDED.online, offline = EXCLUDED.offline`,
      [hours, sources, online, offline],
    );
    await client.query('DELETE FROM fleet_hours WHERE hour < $1', [new Date(last - KEEP_DAYS * 86_400_000)]);
    await client.query('COMMIT');
    return { hours: (last - start) / HOUR + 1 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The workers role: a rollup every few minutes, one at a time (the scheduler makes one job per period). */
export async function startFleetRollup(hub: QueueHub, pool: pg.Pool, everyMs = 5 * 60_000) {
  await hub
    .queue('fleet-rollup')
    .upsertJobScheduler('fleet-rollup', { every: everyMs }, { name: 'fleet-rollup', data: {} });
  return hub.worker('fleet-rollup', async () => rollupFleet(pool), { concurrency: 1 });
}
