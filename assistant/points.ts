// The personal points answer: each linked node's uptime over 24 h, 7 d and the season
// window (from the notifier's transition history), the published snapshots it was
// offline at, the network's points figure when a source provides one, then the curated
// explanation. Snapshot times and the season window come from the knowledge base's
// optional front matter, never from a guess; there is no formula here.
import type pg from 'pg';
import type { NetworkViewStore } from '../notifier/network-view';
import type { SnapshotSourceName } from '../notifier/sources/types';
import { uptimeFor } from '../notifier/uptime';
import type { Answer } from './answer/compose';
import type { KbEntry } from './kb/store';

const DAY = 86_400_000;

export interface NodeUptime {
  id: string;
  externalId: string;
  uptime24h: number | null;
  uptime7d: number | null;
  uptimeSeason: number | null;
}

export interface PointsFigure {
  externalId: string;
  value: number;
  /** The network's own unit (IO, NOS, USD, points…), shown as it gives it. */
  unit: string;
  /** The source that reported it. */
  network: SnapshotSourceName;
  asOf: Date;
}

/** Where each node's points or earnings figure comes from, when a network gives one. */
export interface PointsFigureSource {
  figures(nodes: Array<{ id: string; externalId: string }>): Promise<PointsFigure[]>;
}

/**
 * The figures the network sources last reported (the notifier's network view): a node's
 * earnings or points exactly as its network states them, in its unit. A node whose network
 * states none gets no figure; nothing is estimated.
 */
export function networkFigures(view: Pick<NetworkViewStore, 'read'>): PointsFigureSource {
  return {
    async figures(nodes) {
      const seen = await view.read(nodes.map((n) => n.id));
      return nodes.flatMap((n): PointsFigure[] => {
        const v = seen.get(n.id);
        const e = v?.earnings;
        if (!v || !e || !Number.isFinite(e.amount)) return [];
        return [
          {
            externalId: n.externalId,
            value: e.amount,
            unit: e.unit,
            network: v.source,
            asOf: new Date(v.observedAt),
          },
        ];
      });
    },
  };
}

export interface PointsReport {
  nodes: NodeUptime[];
  seasonStart: string | null;
  /** Published snapshot times (ISO), past ones only. */
  snapshots: string[];
  missedSnapshots: Array<{ externalId: string; at: string }>;
  figures: PointsFigure[];
  explanation: Answer | null;
}

/** Snapshot times and season window from the newest entries that state them. */
export function calendarOf(entries: KbEntry[]): { snapshots: string[]; seasonStart: string | null } {
  const newest = (pick: (e: KbEntry) => unknown) =>
    entries.filter((e) => pick(e)).sort((a, b) => (a.updated < b.updated ? 1 : -1))[0];
  return {
    snapshots: newest((e) => e.meta.snapshots?.length)?.meta.snapshots ?? [],
    seasonStart: newest((e) => e.meta.seasonStart)?.meta.seasonStart ?? null,
  };
}

export async function pointsReport(
  pool: pg.Pool,
  userId: string,
  entries: KbEntry[],
  explanation: Answer | null,
  opts: { figures?: PointsFigureSource | null; now?: number } = {},
): Promise<PointsReport> {
  const now = opts.now ?? Date.now();
  const { rows } = await pool.query<{ id: string; external_id: string }>(
    'SELECT id, external_id FROM nodes WHERE user_id = $1 ORDER BY external_id',
    [userId],
  );
  const { snapshots: all, seasonStart } = calendarOf(entries);
  const snapshots = all.filter((s) => Date.parse(s) <= now);
  const ids = rows.map((r) => r.id);
  let seasonMs: number;
  if (seasonStart) seasonMs = Math.max(DAY, now - Date.parse(`${seasonStart}T00:00:00Z`));
  else {
    // No published season: all the history we have.
    const first = await pool.query<{ at: Date | null }>(
      'SELECT min(at) AS at FROM node_transitions WHERE node_id = ANY($1::uuid[])',
      [ids],
    );
    seasonMs = Math.max(7 * DAY, now - (first.rows[0]?.at?.getTime() ?? now));
  }
  const history = await uptimeFor(pool, ids, [DAY, 7 * DAY, seasonMs], now);
  const nodes = rows.map((r): NodeUptime => {
    const [u24, u7, us] = history.get(r.id)?.shares ?? [];
    return {
      id: r.id,
      externalId: r.external_id,
      uptime24h: u24 ?? null,
      uptime7d: u7 ?? null,
      uptimeSeason: us ?? null,
    };
  });
  const missedSnapshots: PointsReport['missedSnapshots'] = [];
  for (const at of snapshots) {
    if (ids.length === 0) break;
    const { rows: states } = await pool.query<{ node_id: string; to: string }>(
      `SELECT DISTINCT ON (node_id) node_id, "to" FROM node_transitions
        WHERE node_id = ANY($1::uuid[]) AND at <= $2 ORDER BY node_id, at DESC`,
      [ids, new Date(at)],
    );
    for (const s of states) {
      if (s.to !== 'OFFLINE') continue;
      const node = rows.find((r) => r.id === s.node_id);
      if (node) missedSnapshots.push({ externalId: node.external_id, at });
    }
  }
  const figures = opts.figures
    ? await opts.figures.figures(rows.map((r) => ({ id: r.id, externalId: r.external_id }))).catch(() => [])
    : [];
  return { nodes, seasonStart, snapshots, missedSnapshots, figures, explanation };
}
