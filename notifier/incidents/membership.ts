// Keeps incidents right when accounts change under them: a node that stops being watched
// leaves its open incident (which closes when nothing else is down), and a user folded
// into another brings their incidents along.
import type pg from 'pg';

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const CLOSE_EMPTY = `
  UPDATE incidents i SET closed_at = now()
   WHERE i.id = ANY($1::uuid[]) AND i.closed_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM incident_nodes n WHERE n.incident_id = i.id AND n.up_at IS NULL)`;

/** Takes a node out of its open incident; returns the owners whose incidents changed. */
export async function detachNode(pool: pg.Pool, nodeId: string): Promise<string[]> {
  return inTransaction(pool, async (c) => {
    // Incidents before their nodes, the lock order of every incident writer (apply-events.ts).
    await c.query(
      `SELECT i.id FROM incidents i JOIN incident_nodes n ON n.incident_id = i.id
        WHERE i.closed_at IS NULL AND n.node_id = $1 ORDER BY i.id FOR NO KEY UPDATE OF i`,
      [nodeId],
    );
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
export async function mergeIncidents(pool: pg.Pool, from: string, into: string): Promise<void> {
  await inTransaction(pool, async (c) => {
    const { rows } = await c.query<{ id: string; user_id: string }>(
      `SELECT id, user_id FROM incidents WHERE user_id = ANY($1::uuid[]) AND closed_at IS NULL FOR UPDATE`,
      [[from, into]],
    );
    const fromOpen = rows.find((r) => r.user_id === from);
    const intoOpen = rows.find((r) => r.user_id === into);
    if (fromOpen && intoOpen) {
      await c.query(
        `INSERT INTO incident_nodes (incident_id, node_id, down_at, last_seen_at, up_at, alerted_at)
         SELECT $2, node_id, down_at, last_seen_at, up_at, alerted_at FROM incident_nodes WHERE incident_id = $1
         ON CONFLICT (incident_id, node_id) DO NOTHING`,
        [fromOpen.id, intoOpen.id],
      );
      await c.query(`DELETE FROM incidents WHERE id = $1`, [fromOpen.id]);
    }
    await c.query(`UPDATE incidents SET user_id = $2 WHERE user_id = $1`, [from, into]);
  });
}
