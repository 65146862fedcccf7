// The fleet rollup on real PostgreSQL: per-hour counts equal a full scan of the history at
// each hour, a transition stored late (within the rewind) is counted on the next run, and
// the page's series ends with a live point that includes the current partial hour.
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { fleetSeries } from './fleet';
import { floorHour, HOUR, rollupFleet, snapshot } from './fleet-rollup';

describe('fleet rollup (fleet_hours)', () => {
  let tdb: TestDatabase;
  const now = floorHour(Date.UTC(2026, 11, 2, 12, 0)) + 20 * 60_000; // 12:20 UTC
  const pool = () => tdb.db.pool;

  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => tdb?.drop());

  async function node(ext: string): Promise<string> {
    const { rows } = await pool().query<{ id: string }>(
      `INSERT INTO nodes (id, external_id, updated_at) VALUES (gen_random_uuid(), $1, now()) RETURNING id`,
      [ext],
    );
    return rows[0]!.id;
  }
  async function move(id: string, to: 'ONLINE' | 'OFFLINE', at: number, source = 'push') {
    await pool().query(
      `INSERT INTO node_transitions (node_id, "from", "to", at, source) VALUES ($1, 'UNKNOWN', $2, $3, $4)`,
      [id, to, new Date(at), source],
    );
  }
  async function stored(hour: number) {
    const { rows } = await pool().query<{ source: string; online: number; offline: number }>(
      'SELECT source, online, offline FROM fleet_hours WHERE hour = $1 ORDER BY source',
      [new Date(hour)],
    );
    return Object.fromEntries(
      rows.filter((r) => r.online || r.offline).map((r) => [r.source, [r.online, r.offline]]),
    );
  }

  it('each hour equals the state of every node at that hour, per source', async () => {
    const a = await node('roll-a');
    const b = await node('roll-b');
    const c = await node('roll-c');
    const h = (n: number) => floorHour(now) - n * HOUR;
    await move(a, 'ONLINE', h(30));
    await move(a, 'OFFLINE', h(5) + 10 * 60_000);
    await move(a, 'ONLINE', h(5) + 20 * 60_000); // flapped within one hour: online at its end
    await move(b, 'ONLINE', h(10), 'ionet');
    await move(b, 'OFFLINE', h(2) + 1, 'ionet');
    await move(c, 'OFFLINE', h(4) + 5);
    await move(c, 'ONLINE', now - 60_000); // in the current partial hour

    const r = await rollupFleet(pool(), now);
    expect(r.hours).toBe(8 * 24 + 1);
    for (const n of [0, 1, 2, 3, 4, 5, 6, 12, 40]) {
      const full = await snapshot(pool(), h(n));
      const expected = Object.fromEntries(
        [...full].filter(([, v]) => v.online || v.offline).map(([s, v]) => [s, [v.online, v.offline]]),
      );
      expect([n, await stored(h(n))]).toEqual([n, expected]);
    }
    expect(await stored(h(0))).toEqual({ ionet: [0, 1], push: [1, 1] });
    expect(await stored(h(12))).toEqual({ push: [1, 0] });
  });

  it('a transition stored late, within the rewind, is counted by the next run', async () => {
    const d = await node('roll-d');
    await move(d, 'ONLINE', floorHour(now) - 2 * HOUR - 30 * 60_000, 'nosana');
    await rollupFleet(pool(), now);
    expect((await stored(floorHour(now) - 2 * HOUR)).nosana).toEqual([1, 0]);
    expect((await stored(floorHour(now))).nosana).toEqual([1, 0]);
  });

  it('far behind (an empty table), the page queues the rollup instead of running it', async () => {
    const later = now + 30 * 24 * HOUR;
    let kicked = 0;
    const r = await fleetSeries(pool(), later, async () => void kicked++);
    expect(r.behind).toBe(true);
    expect(kicked).toBe(1);
    expect(r.day.find((s) => s.source === 'push')!.points).toHaveLength(24);
  });

  it("the page's series: 24 hourly and 28 six-hourly points, then a live point now", async () => {
    const { day, week } = await fleetSeries(pool(), now);
    const push = day.find((s) => s.source === 'push')!;
    expect(push.points).toHaveLength(25);
    expect(push.points.at(-2)).toEqual({ at: floorHour(now), online: 1, offline: 1 });
    // Node c came back at 12:19: the live point has both push nodes online.
    expect(push.points.at(-1)).toEqual({ at: now, online: 2, offline: 0 });
    expect(week.find((s) => s.source === 'ionet')!.points).toHaveLength(29);
    expect(day.map((s) => s.source)).toEqual(expect.arrayContaining(['push', 'ionet', 'nosana', 'akash']));
  });
});
