// Per staff member: tickets handled and closed, average first-response and resolution
// time, average rating. A ticket counts for its assignee, else for whoever answered first.
import type pg from 'pg';
import { t } from '../core/i18n';
import { list, reply, text, title, type Reply } from '../core/reply';
import type { Actor, StaffGate } from './actor';
import { auditTicket } from './actor';
import { duration, STAFF_LOCALE } from './render';
import type { PrismaClient } from '@prisma/client';

export interface StaffStats {
  identityId: string;
  name: string;
  handled: number;
  closed: number;
  firstResponseMs: number | null;
  resolutionMs: number | null;
  rating: number | null;
  ratings: number;
}

export async function staffStats(pool: pg.Pool, sinceMs?: number): Promise<StaffStats[]> {
  const { rows } = await pool.query<{
    staff: string;
    name: string | null;
    handled: number;
    closed: number;
    first_ms: number | null;
    resolution_ms: number | null;
    rating: number | null;
    ratings: number;
  }>(
    `WITH owned AS (
       SELECT t.*, COALESCE(t.assignee_identity_id, t.first_responder_id) AS staff
         FROM tickets t
        WHERE COALESCE(t.assignee_identity_id, t.first_responder_id) IS NOT NULL
          AND ($1::timestamptz IS NULL OR t.opened_at >= $1)
     ), firsts AS (
       SELECT first_responder_id AS staff,
              avg(extract(epoch FROM first_response_at - opened_at) * 1000)::float8 AS first_ms
         FROM tickets WHERE first_responder_id IS NOT NULL AND ($1::timestamptz IS NULL OR opened_at >= $1)
        GROUP BY first_responder_id
     )
     SELECT o.staff,
            (SELECT m.author_name FROM ticket_messages m WHERE m.author_identity_id = o.staff
              ORDER BY m.id DESC LIMIT 1) AS name,
            count(*)::int AS handled,
            count(*) FILTER (WHERE o.state = 'CLOSED')::int AS closed,
            f.first_ms,
            (avg(extract(epoch FROM o.closed_at - o.opened_at) * 1000) FILTER (WHERE o.state = 'CLOSED'))::float8 AS resolution_ms,
            avg(r.score)::float8 AS rating,
            count(r.score)::int AS ratings
       FROM owned o
       LEFT JOIN ticket_ratings r ON r.ticket_id = o.id
       LEFT JOIN firsts f ON f.staff = o.staff
      GROUP BY o.staff, f.first_ms
      ORDER BY handled DESC, o.staff`,
    [sinceMs ? new Date(sinceMs) : null],
  );
  return rows.map((r) => ({
    identityId: r.staff,
    name: r.name ?? r.staff.slice(0, 8),
    handled: r.handled,
    closed: r.closed,
    firstResponseMs: r.first_ms,
    resolutionMs: r.resolution_ms,
    rating: r.rating,
    ratings: r.ratings,
  }));
}

export function renderStats(stats: StaffStats[]): Reply {
  const l = STAFF_LOCALE;
  if (!stats.length) return reply([title(t(l, 'tickets.stats.title')), text(t(l, 'tickets.stats.empty'))]);
  const ms = (v: number | null) => (v === null ? '—' : duration(l, v));
  return reply([
    title(t(l, 'tickets.stats.title')),
    list(
      stats.map((s) =>
        t(l, 'tickets.stats.row', {
          name: s.name,
          handled: s.handled,
          closed: s.closed,
          first: ms(s.firstResponseMs),
          resolution: ms(s.resolutionMs),
          rating: s.rating === null ? '—' : s.rating.toFixed(2),
          ratings: s.ratings,
        }),
      ),
    ),
  ]);
}

/** Staff only, and audited like every staff look at other people's tickets. */
export async function statsFor(
  gate: StaffGate,
  prisma: PrismaClient,
  pool: pg.Pool,
  actor: Actor,
): Promise<StaffStats[]> {
  gate.check(actor, 'ticket.stats');
  const stats = await staffStats(pool);
  await auditTicket(prisma, actor, 'ticket.stats', { type: 'ticket', id: '*' });
  return stats;
}
