// Everything /status shows for one user: per node state (with "late" when beats are
// overdue), since when, uptime over 24 h and 7 d, both views (what the network reports and
// what the heartbeat agent says) with a flag when they disagree, and the open incident.
import type pg from 'pg';
import { deviceIdOf } from '../accounts/node-networks';
import type { LivenessStore } from './liveness/store';
import type { NetworkView, NetworkViewStore } from './network-view';
import { uptimeFor } from './uptime';

export type ShownState = 'UNKNOWN' | 'ONLINE' | 'SUSPECT' | 'OFFLINE';

export interface NodeStatus {
  id: string;
  externalId: string;
  label: string | null;
  state: ShownState;
  since: Date;
  lastSeen: Date | null;
  uptime24h: number | null;
  uptime7d: number | null;
  flapping: boolean;
  /** State spans over the last 7 days, for the chart. */
  segments: Array<{ from: number; to: number; state: string }>;
  /** The network's own view (io.net, Nosana, Akash or the poll API), when one watches it. */
  network?: NetworkView;
  /** The heartbeat agent's view, when an agent has reported. */
  heartbeat?: { online: boolean; lastSeen: Date };
  /**
   * The two views contradict each other: the network says up while beats stopped
   * (`network_up`), or the network says down while beats arrive (`network_down`).
   */
  disagreement?: {
    kind: 'network_up' | 'network_down';
    network: NetworkView['source'];
    networkState: string;
    networkSeen: Date;
    pushSeen: Date | null;
  };
}

export interface UserStatus {
  nodes: NodeStatus[];
  incident: { since: Date; down: number } | null;
}

const DAY = 86_400_000;

export class StatusService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly push: LivenessStore,
    private readonly networkView: NetworkViewStore,
    /** Beats overdue by more than this make an online node "late" (SUSPECT). */
    private readonly lateAfterMs: number,
  ) {}

  async forUser(userId: string, now = Date.now()): Promise<UserStatus> {
    const { rows } = await this.pool.query<{
      id: string;
      external_id: string;
      label: string | null;
      state: ShownState;
      state_since: Date;
      last_seen_at: Date | null;
      flapping_since: Date | null;
      token_hash: string | null;
    }>(
      `SELECT id, external_id, label, state, state_since, last_seen_at, flapping_since, token_hash
         FROM nodes WHERE user_id = $1 ORDER BY external_id`,
      [userId],
    );
    const ids = rows.map((r) => r.id);
    const [push, poll, uptime, incident] = await Promise.all([
      this.push.view(ids),
      this.networkView.read(ids),
      uptimeFor(this.pool, ids, [DAY, 7 * DAY], now),
      this.pool.query<{ opened_at: Date; down: number }>(
        `SELECT i.opened_at, (SELECT count(*)::int FROM incident_nodes n WHERE n.incident_id = i.id AND n.up_at IS NULL) AS down
           FROM incidents i WHERE i.user_id = $1 AND i.closed_at IS NULL`,
        [userId],
      ),
    ]);
    const nodes = rows.map((r): NodeStatus => {
      const p = push.get(r.id);
      const lastSeen = p ? new Date(p.at) : r.last_seen_at;
      let state: ShownState = r.state;
      if (state === 'ONLINE' && p && !p.down && now - p.at > this.lateAfterMs) state = 'SUSPECT';
      const history = uptime.get(r.id);
      const [u24, u7] = history?.shares ?? [null, null];
      const status: NodeStatus = {
        id: r.id,
        // A watch row (another holder's device, watched too) shows as its device.
        externalId: deviceIdOf(r.external_id),
        label: r.label,
        state,
        since: r.state_since,
        lastSeen,
        uptime24h: u24 ?? null,
        uptime7d: u7 ?? null,
        flapping: !!r.flapping_since,
        segments: history?.segments ?? [],
      };
      const net = poll.get(r.id);
      if (net) status.network = net;
      if (p)
        status.heartbeat = { online: !p.down && now - p.at <= this.lateAfterMs, lastSeen: new Date(p.at) };
      if (net && status.heartbeat) {
        const netUp = net.liveness === 'online';
        const netDown = net.liveness === 'offline';
        if (netUp !== status.heartbeat.online && (netUp || netDown)) {
          status.disagreement = {
            kind: netUp ? 'network_up' : 'network_down',
            network: net.source,
            networkState: net.rawState,
            networkSeen: new Date(net.observedAt),
            pushSeen: status.heartbeat.lastSeen,
          };
        }
      }
      return status;
    });
    const open = incident.rows[0];
    return { nodes, incident: open && open.down > 0 ? { since: open.opened_at, down: open.down } : null };
  }
}
