// Applies a batch of liveness events in one PostgreSQL transaction: transitions (history),
// node state, flapping detection, and incident membership. Idempotent: an event applied
// before (same stream id) changes nothing, so a batch re-read after a crash is harmless.
import type pg from 'pg';
import { inTransaction } from '../../core/db';
import type { LivenessEvent } from '../liveness/store';

export interface FlapRules {
  threshold: number;
  windowMs: number;
}

export interface ApplyResult {
  applied: number;
  /** Users whose incidents may need an alert, an update or a recovery message. */
  users: string[];
  /** Nodes that just started flapping, for a one-time notice. */
  flapping: Array<{ nodeId: string; externalId: string; userId: string; count: number; since: Date }>;
}

interface NodeRow {
  id: string;
  external_id: string;
  user_id: string | null;
  state: 'UNKNOWN' | 'ONLINE' | 'SUSPECT' | 'OFFLINE';
  maintenance_until: Date | null;
  flapping_since: Date | null;
}

/** Stream ids are "<ms>-<seq>": compare numerically, "5-10" comes after "5-9". */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

export async function applyEvents(
  pool: pg.Pool,
  events: LivenessEvent[],
  rules: FlapRules,
  now = new Date(),
): Promise<ApplyResult> {
  const result: ApplyResult = { applied: 0, users: [], flapping: [] };
  if (events.length === 0) return result;
  const ordered = [...events].sort((a, b) => compareStreamIds(a.id, b.id));
  const nodeIds = [...new Set(ordered.map((e) => e.nodeId))];
  return inTransaction(pool, async (client) => {
    const { rows: nodes } = await client.query<NodeRow>(
      `SELECT id, external_id, user_id, state, maintenance_until, flapping_since
         FROM nodes WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [nodeIds],
    );
    const byId = new Map(nodes.map((n) => [n.id, n]));

    // Chain each node's events in stream order: `from` is the state before each event.
    const state = new Map(nodes.map((n) => [n.id, n.state]));
    const rows = {
      node: [] as string[],
      from: [] as string[],
      to: [] as string[],
      at: [] as Date[],
      source: [] as string[],
      event: [] as string[],
    };
    for (const e of ordered) {
      const before = state.get(e.nodeId);
      if (before === undefined) continue; // node deleted since
      rows.node.push(e.nodeId);
      rows.from.push(before);
      rows.to.push(e.to);
      rows.at.push(new Date(e.at));
      rows.source.push(e.source);
      rows.event.push(e.id);
      state.set(e.nodeId, e.to);
    }
    const { rows: inserted } = await client.query<{
      node_id: string;
      to: 'ONLINE' | 'OFFLINE';
      at: Date;
      event_id: string;
    }>(
      `INSERT INTO node_transitions (node_id, "from", "to", at, source, event_id)
       SELECT e.node_id, e.f::"NodeState", e.t::"NodeState", e.at, e.src, e.ev
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])
              AS e(node_id, f, t, at, src, ev)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING node_id, "to", at, event_id`,
      [rows.node, rows.from, rows.to, rows.at, rows.source, rows.event],
    );
    result.applied = inserted.length;
    const users = new Set<string>();
    for (const id of nodeIds) {
      const u = byId.get(id)?.user_id;
      if (u) users.add(u);
    }
    result.users = [...users];
    if (inserted.length === 0) return result;
    inserted.sort((a, b) => compareStreamIds(a.event_id, b.event_id));
    // Lock order nodes → incidents → incident_nodes, the order the alert steps take
    // (incidents, then their nodes): touching incident_nodes first and closing incidents
    // after is what let a recovery batch and an incident timer deadlock each other.
    await lockOpenIncidents(client, result.users);

    // Final state per node from the newly applied events.
    const last = new Map<string, { to: string; at: Date; lastOfflineAt?: Date }>();
    for (const t of inserted) {
      const prev = last.get(t.node_id);
      last.set(t.node_id, {
        to: t.to,
        at: t.at,
        lastOfflineAt: t.to === 'OFFLINE' ? t.at : prev?.lastOfflineAt,
      });
    }
    await client.query(
      `UPDATE nodes n SET state = u.s::"NodeState", state_since = u.at, updated_at = now(),
              last_seen_at = GREATEST(n.last_seen_at, u.seen)
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS u(id, s, at, seen)
        WHERE n.id = u.id`,
      [
        [...last.keys()],
        [...last.values()].map((v) => v.to),
        [...last.values()].map((v) => v.at),
        [...last.values()].map((v) => v.lastOfflineAt ?? null),
      ],
    );

    // Drops: flapping check, then incident membership (owned, not in maintenance, not flapping).
    const drops = inserted.filter((t) => t.to === 'OFFLINE');
    const dropNodes = [...new Set(drops.map((d) => d.node_id))].filter((id) => byId.get(id)?.user_id);
    const counts = new Map<string, number>();
    if (dropNodes.length) {
      const { rows: c } = await client.query<{ node_id: string; n: number }>(
        `SELECT node_id, count(*)::int AS n FROM node_transitions
          WHERE node_id = ANY($1::uuid[]) AND "to" = 'OFFLINE' AND at > $2
          GROUP BY node_id`,
        [dropNodes, new Date(now.getTime() - rules.windowMs)],
      );
      for (const r of c) counts.set(r.node_id, r.n);
    }
    // Keyed by node: a node that dropped twice in one batch joins once (a second row for the
    // same node in one INSERT … ON CONFLICT DO UPDATE would fail the whole batch).
    const joining = new Map<string, { nodeId: string; userId: string; downAt: Date; lastSeen: Date }>();
    const newlyFlapping: string[] = [];
    for (const d of drops) {
      const node = byId.get(d.node_id);
      if (!node?.user_id) continue;
      if (node.maintenance_until && node.maintenance_until > now) continue;
      if (node.flapping_since) continue;
      const n = counts.get(d.node_id) ?? 0;
      if (n >= rules.threshold) {
        node.flapping_since = now;
        newlyFlapping.push(node.id);
        result.flapping.push({
          nodeId: node.id,
          externalId: node.external_id,
          userId: node.user_id,
          count: n,
          since: now,
        });
        continue;
      }
      joining.set(d.node_id, { nodeId: d.node_id, userId: node.user_id, downAt: now, lastSeen: d.at });
    }
    if (newlyFlapping.length) {
      await client.query(`UPDATE nodes SET flapping_since = $2 WHERE id = ANY($1::uuid[])`, [
        newlyFlapping,
        now,
      ]);
      // A node that starts flapping leaves the incident it was in (quiet until stable).
      await client.query(
        `DELETE FROM incident_nodes inn USING incidents i
          WHERE inn.incident_id = i.id AND i.closed_at IS NULL AND inn.node_id = ANY($1::uuid[]) AND inn.alerted_at IS NULL`,
        [newlyFlapping],
      );
    }
    // A node whose last event in the batch is a recovery does not join.
    await joinIncidents(
      client,
      [...joining.values()].filter((j) => last.get(j.nodeId)?.to === 'OFFLINE'),
      now,
    );

    // Recoveries: mark the node up in its open incident; close incidents with nothing left down.
    const ups = [...last.entries()]
      .filter(([, v]) => v.to === 'ONLINE')
      .map(([node_id, v]) => ({ node_id, at: v.at }));
    if (ups.length) {
      const { rows: touched } = await client.query<{ incident_id: string }>(
        `UPDATE incident_nodes inn SET up_at = u.at
           FROM incidents i, unnest($1::uuid[], $2::timestamptz[]) AS u(node_id, at)
          WHERE inn.incident_id = i.id AND i.closed_at IS NULL AND inn.node_id = u.node_id AND inn.up_at IS NULL
          RETURNING inn.incident_id`,
        [ups.map((u) => u.node_id), ups.map((u) => u.at)],
      );
      const ids = [...new Set(touched.map((t) => t.incident_id))];
      if (ids.length) {
        await client.query(
          `UPDATE incidents i SET closed_at = $2
            WHERE i.id = ANY($1::uuid[]) AND i.closed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM incident_nodes inn WHERE inn.incident_id = i.id AND inn.up_at IS NULL)`,
          [ids, now],
        );
      }
    }
    return result;
  });
}

/** Locks the owners' open incidents, in id order (see the lock order above). */
export async function lockOpenIncidents(client: pg.PoolClient, owners: string[]): Promise<void> {
  if (owners.length === 0) return;
  await client.query(
    `SELECT id FROM incidents WHERE user_id = ANY($1::uuid[]) AND closed_at IS NULL ORDER BY id FOR NO KEY UPDATE`,
    [owners],
  );
}

/** Adds down nodes to their owner's open incident, opening one when there is none. */
export async function joinIncidents(
  client: pg.PoolClient,
  joining: Array<{ nodeId: string; userId: string; downAt: Date; lastSeen: Date | null }>,
  now: Date,
): Promise<void> {
  if (joining.length === 0) return;
  const owners = [...new Set(joining.map((j) => j.userId))].sort();
  await lockOpenIncidents(client, owners);
  await client.query(
    `INSERT INTO incidents (id, user_id, opened_at) SELECT gen_random_uuid(), u, $2 FROM unnest($1::uuid[]) AS u
     ON CONFLICT (user_id) WHERE closed_at IS NULL DO NOTHING`,
    [owners, now],
  );
  await client.query(
    `INSERT INTO incident_nodes (incident_id, node_id, down_at, last_seen_at)
     SELECT i.id, j.node_id, j.down_at, j.seen
       FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS j(node_id, user_id, down_at, seen)
       JOIN incidents i ON i.user_id = j.user_id AND i.closed_at IS NULL
     ON CONFLICT (incident_id, node_id) DO UPDATE
       -- A node back after recovering is a new drop (announce again); one still down keeps its row.
       SET down_at = CASE WHEN incident_nodes.up_at IS NULL THEN incident_nodes.down_at ELSE EXCLUDED.down_at END,
           last_seen_at = CASE WHEN incident_nodes.up_at IS NULL THEN incident_nodes.last_seen_at ELSE EXCLUDED.last_seen_at END,
           alerted_at = CASE WHEN incident_nodes.up_at IS NULL THEN incident_nodes.alerted_at ELSE NULL END,
           up_at = NULL`,
    [
      joining.map((j) => j.nodeId),
      joining.map((j) => j.userId),
      joining.map((j) => j.downAt),
      joining.map((j) => j.lastSeen),
    ],
  );
}

/**
 * Ends flapping for nodes without a transition for `stableMs`. One that settled offline
 * joins an incident now: stable and down is worth an alert.
 */
export async function settleFlapping(pool: pg.Pool, stableMs: number, now = new Date()): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      id: string;
      user_id: string | null;
      state: string;
      last_seen_at: Date | null;
      maintenance_until: Date | null;
    }>(
      `UPDATE nodes SET flapping_since = NULL
        WHERE flapping_since IS NOT NULL AND state_since < $1
        RETURNING id, user_id, state, last_seen_at, maintenance_until`,
      [new Date(now.getTime() - stableMs)],
    );
    const down = rows.filter(
      (r) => r.state === 'OFFLINE' && r.user_id && !(r.maintenance_until && r.maintenance_until > now),
    );
    await joinIncidents(
      client,
      down.map((r) => ({ nodeId: r.id, userId: r.user_id!, downAt: now, lastSeen: r.last_seen_at })),
      now,
    );
    return [...new Set(down.map((r) => r.user_id!))];
  });
}
