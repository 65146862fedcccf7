// Uptime per node over a window, from the transition history: the share of the time we
// knew the node's state that it was online (time before its first heartbeat is not counted).
import type pg from 'pg';

export interface Transition {
  to: string;
  at: Date;
}

/** Spans of a node's state between start and end (chart rows, and the uptime share). */
export function timeline(stateAtStart: string | null, transitions: Transition[], start: number, end: number) {
  const out: Array<{ from: number; to: number; state: string }> = [];
  let state = stateAtStart;
  let cursor = start;
  for (const t of transitions) {
    const at = t.at.getTime();
    if (at <= start) {
      state = t.to;
      continue;
    }
    if (at > end) break;
    if (state) out.push({ from: cursor, to: at, state });
    state = t.to;
    cursor = at;
  }
  if (state) out.push({ from: cursor, to: end, state });
  return out;
}

export function uptimeShare(
  stateAtStart: string | null,
  transitions: Transition[],
  start: number,
  end: number,
): number | null {
  let online = 0;
  let known = 0;
  for (const s of timeline(stateAtStart, transitions, start, end)) {
    if (s.state !== 'ONLINE' && s.state !== 'OFFLINE') continue;
    known += s.to - s.from;
    if (s.state === 'ONLINE') online += s.to - s.from;
  }
  return known > 0 ? online / known : null;
}

export interface NodeHistory {
  /** Uptime share per requested window. */
  shares: Array<number | null>;
  /** State spans over the longest window. */
  segments: Array<{ from: number; to: number; state: string }>;
}

export async function uptimeFor(
  pool: pg.Pool,
  nodeIds: string[],
  windowsMs: number[],
  now = Date.now(),
): Promise<Map<string, NodeHistory>> {
  const out = new Map<string, NodeHistory>();
  if (nodeIds.length === 0) return out;
  const longest = Math.max(...windowsMs);
  const from = new Date(now - longest);
  const [{ rows: before }, { rows: inside }] = await Promise.all([
    pool.query<{ node_id: string; to: string }>(
      `SELECT DISTINCT ON (node_id) node_id, "to" FROM node_transitions
        WHERE node_id = ANY($1::uuid[]) AND at <= $2 ORDER BY node_id, at DESC`,
      [nodeIds, from],
    ),
    pool.query<{ node_id: string; to: string; at: Date }>(
      `SELECT node_id, "to", at FROM node_transitions WHERE node_id = ANY($1::uuid[]) AND at > $2 ORDER BY node_id, at`,
      [nodeIds, from],
    ),
  ]);
  const startState = new Map(before.map((r) => [r.node_id, r.to]));
  const byNode = new Map<string, Transition[]>();
  for (const r of inside) {
    const list = byNode.get(r.node_id) ?? [];
    list.push({ to: r.to, at: r.at });
    byNode.set(r.node_id, list);
  }
  for (const id of nodeIds) {
    const list = byNode.get(id) ?? [];
    out.set(id, {
      shares: windowsMs.map((w) => {
        // State at this window's start: the last transition before it.
        let s = startState.get(id) ?? null;
        for (const t of list) if (t.at.getTime() <= now - w) s = t.to;
        return uptimeShare(s, list, now - w, now);
      }),
      segments: timeline(startState.get(id) ?? null, list, now - longest, now),
    });
  }
  return out;
}
