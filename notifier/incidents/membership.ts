// Keeps incidents right when accounts change under them: a node that stops being watched
// leaves its open incident (which closes when nothing else is down), and a user folded
// into another brings their incidents along.
import type pg from 'pg';
import type { MergeParticipant } from '../../accounts/merge';
import { inTransaction, pgSql, type SqlRunner } from '../../core/db';

const CLOSE_EMPTY = `
  UPDATE incidents i SET closed_at = now()
   WHERE i.id = ANY($1::uuid[]) AND i.closed_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM incident_nodes n WHERE n.incident_id = i.id AND n.up_at IS NULL)`;

/** Takes a node out of its open incident; returns the owners whose incidents changed. */
export async function detachNode(pool: pg.Pool, nodeId: string): Promise<string[]> {
  return inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ id: string; user_id: string }>(
      `DELETE FROM incident_nodes n USING incidents i
        WHERE n.incident_id = i.id AND i.closed_at IS NULL AND n.node_id = $1
        RETURNING i.id, i.user_id`,
      [nodeId],
    );
    if (rows.length) await c.query(CLOSE_EMPTY, [rows.map((r) => r.id)]);
    return [...new Set(rows.map((r) => r.user_id))];
  });
}

/** Moves `from`'s incidents to `into`; two open incidents become one. */
async function moveIncidents(sql: SqlRunner, from: string, into: string): Promise<void> {
  const rows = await sql.rows<{ id: string; user_id: string }>(
    `SELECT id::text AS id, user_id::text AS user_id FROM incidents
      WHERE user_id IN ($1::uuid, $2::uuid) AND closed_at IS NULL FOR UPDATE`,
    [from, into],
  );
  const fromOpen = rows.find((r) => r.user_id === from);
  const intoOpen = rows.find((r) => r.user_id === into);
  if (fromOpen && intoOpen) {
    await sql.exec(
      `INSERT INTO incident_nodes (incident_id, node_id, down_at, last_seen_at, up_at, alerted_at)
       SELECT $2::uuid, node_id, down_at, last_seen_at, up_at, alerted_at FROM incident_nodes WHERE incident_id = $1::uuid
       ON CONFLICT (incident_id, node_id) DO NOTHING`,
      [fromOpen.id, intoOpen.id],
    );
    await sql.exec(`DELETE FROM incidents WHERE id = $1::uuid`, [fromOpen.id]);
  }
  await sql.exec(`UPDATE incidents SET user_id = $2::uuid WHERE user_id = $1::uuid`, [from, into]);
}

/** Incidents take part in a user merge, inside its transaction (accounts/merge.ts). */
export const incidentsParticipant: MergeParticipant = {
  name: 'incidents',
  merge: ({ sql }, from, into) => moveIncidents(sql, from, into),
};

/** The same on its own transaction (tests, repairs). */
export async function mergeIncidents(pool: pg.Pool, from: string, into: string): Promise<void> {
  await inTransaction(pool, (c) => moveIncidents(pgSql(c), from, into));
}
