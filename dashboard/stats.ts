// Staff figures over time: per week and staff member, tickets handled, average first
// response and resolution, average rating (the totals come from ticketing/stats.ts).
import type pg from 'pg';

export interface WeekRow {
  week: Date;
  staff: string;
  name: string;
  handled: number;
  firstMs: number | null;
  resolutionMs: number | null;
  rating: number | null;
}

export async function weeklyStats(pool: pg.Pool, weeks = 8): Promise<WeekRow[]> {
  const { rows } = await pool.query<{
    week: Date;
    staff: string;
    name: string | null;
    handled: number;
    first_ms: number | null;
    resolution_ms: number | null;
    rating: number | null;
  }>(
    `SELECT date_trunc('week', t.opened_at) AS week,
            COALESCE(t.assignee_identity_id, t.first_responder_id) AS staff,
            max(t.assignee_name) AS name,
            count(*)::int AS handled,
            avg(extract(epoch FROM t.first_response_at - t.opened_at) * 1000)::float8 AS first_ms,
            avg(extract(epoch FROM t.closed_at - t.opened_at) * 1000)::float8 AS resolution_ms,
            avg(r.score)::float8 AS rating
       FROM tickets t LEFT JOIN ticket_ratings r ON r.ticket_id = t.id
      WHERE COALESCE(t.assignee_identity_id, t.first_responder_id) IS NOT NULL
        AND t.opened_at >= date_trunc('week', now()) - make_interval(weeks => $1 - 1)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [weeks],
  );
  return rows.map((r) => ({
    week: r.week,
    staff: r.staff,
    name: r.name ?? r.staff.slice(0, 8),
    handled: r.handled,
    firstMs: r.first_ms,
    resolutionMs: r.resolution_ms,
    rating: r.rating,
  }));
}
