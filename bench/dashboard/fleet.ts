// `npm run bench -- fleet`: the dashboard's fleet page with a large fleet. 100,000 nodes
// and 16 transitions each over 8 days (1.6 M rows) in a scratch schema; then the rollup's
// first fill and a steady-state run, the page's data and HTML (the chart series from
// fleet_hours plus the live hour, incidents, failures), and for comparison the scan over
// node_transitions the page used to run on every view.
import type pg from 'pg';
import { deliveryFailures, fleetSeries, openIncidents } from '../../dashboard/fleet';
import { rollupFleet } from '../../dashboard/fleet-rollup';
import { fleetPage } from '../../dashboard/views/fleet';
import { viewFor } from '../../dashboard/views/layout';
import { fmt, percentile, report, scratch } from '../alerts/common';

const NODES = Number(process.env.BENCH_FLEET_NODES ?? 100_000);
const PER_NODE = 16;
const RUNS = 20;
const SCAN_LIMIT_MS = 120_000;

async function seed(pool: pg.Pool) {
  await pool.query(
    `INSERT INTO nodes (id, external_id, updated_at)
     SELECT gen_random_uuid(), 'bench-' || g, now() FROM generate_series(1, $1::int) g`,
    [NODES],
  );
  // Alternating online/offline, spread over 8 days with jitter; 70 % push, 10 % per network.
  await pool.query(
    `INSERT INTO node_transitions (node_id, "from", "to", at, source)
     SELECT n.id,
            (CASE WHEN k % 2 = 0 THEN 'UNKNOWN' ELSE 'ONLINE' END)::"NodeState",
            (CASE WHEN k % 2 = 0 THEN 'ONLINE' ELSE 'OFFLINE' END)::"NodeState",
            now() - interval '8 days' + k * (interval '8 days' / $1::int) + random() * interval '6 hours',
            n.src
       FROM (SELECT id, CASE abs(hashtext(id::text)) % 10 WHEN 0 THEN 'ionet' WHEN 1 THEN 'nosana'
                                                           WHEN 2 THEN 'akash' ELSE 'push' END AS src
               FROM nodes) n,
            generate_series(0, $1::int - 1) k`,
    [PER_NODE],
  );
  await pool.query('ANALYZE nodes; ANALYZE node_transitions');
}

/** The query the page ran before fleet_hours: every bucket scans the history up to it. */
async function scanSeries(pool: pg.Pool, spanMs: number, buckets: number, now = Date.now()) {
  const step = spanMs / buckets;
  const client = await pool.connect();
  try {
    await client.query(`SET statement_timeout = ${SCAN_LIMIT_MS}`);
    await client.query(
      `WITH b AS (SELECT generate_series($1::timestamptz, $2::timestamptz, $3::interval) AS t)
     SELECT b.t, x.source, count(*) FILTER (WHERE x.state = 'ONLINE')::int AS online
       FROM b CROSS JOIN LATERAL (
         SELECT DISTINCT ON (nt.node_id) nt.source, nt."to"::text AS state
           FROM node_transitions nt WHERE nt.at <= b.t ORDER BY nt.node_id, nt.at DESC
       ) x GROUP BY b.t, x.source`,
      [new Date(now - spanMs + step), new Date(now), `${Math.round(step / 1000)} seconds`],
    );
    return true;
  } catch {
    return false; // cancelled at the limit
  } finally {
    await client.query('RESET statement_timeout').catch(() => {});
    client.release();
  }
}

const timed = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

export async function benchFleet(): Promise<void> {
  const s = await scratch();
  try {
    const pool = s.tdb.db.pool;
    const seedMs = await timed(() => seed(pool));
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM node_transitions');
    const fillMs = await timed(() => rollupFleet(pool));
    const steadyMs = await timed(() => rollupFleet(pool));
    const view = viewFor('en', { csrf: 'x', name: '@bench', moderator: true, path: '/staff/fleet' });
    const page: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++)
      page.push(
        await timed(async () => {
          const [{ day, week }, incidents, failures] = await Promise.all([
            fleetSeries(pool),
            openIncidents(pool),
            deliveryFailures(pool),
          ]);
          const pipeline = { lag: 0, pending: 0, deadLetters: 0, failedJobs: {}, throttled: {} };
          bytes = fleetPage(view, { day, week, incidents, failures, pipeline }).length;
        }),
      );
    page.sort((a, b) => a - b);
    // BENCH_FLEET_SCAN=0 skips the old query (it runs into its 2-minute limit at 100k nodes).
    const scan = process.env.BENCH_FLEET_SCAN !== '0';
    let finished = false;
    const scanDayMs = scan
      ? await timed(async () => void (finished = await scanSeries(pool, 86_400_000, 24)))
      : NaN;
    report(`dashboard fleet page: ${fmt(NODES)} nodes, ${fmt(Number(rows[0]!.n))} transitions`, {
      'seed (s)': fmt(seedMs / 1000, 1),
      'rollup, first fill of 193 hours (ms)': fmt(fillMs),
      'rollup, steady run every 5 min (ms)': fmt(steadyMs),
      [`page data + HTML p50 of ${RUNS} (ms)`]: fmt(percentile(page, 50), 1),
      [`page data + HTML p95 of ${RUNS} (ms)`]: fmt(percentile(page, 95), 1),
      'page HTML (bytes)': fmt(bytes),
      'before: scan query, 24 h chart only (ms)': !scan
        ? 'skipped'
        : finished
          ? fmt(scanDayMs)
          : `> ${fmt(SCAN_LIMIT_MS)}`,
    });
  } finally {
    await s.cleanup();
  }
}
