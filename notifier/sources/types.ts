// The shape every node status source shares (docs/contracts.md "Network sources"): each
// source, whatever its API, reports what it saw as node snapshots, and one sink turns
// snapshots into liveness (the atomic store), the network view and recorded verdicts.

export const NETWORKS = ['ionet', 'nosana', 'akash'] as const;
export type NetworkName = (typeof NETWORKS)[number];
/** Every source that reports through snapshots: the reference poller and the real networks. */
export type SnapshotSourceName = 'poll' | NetworkName;

export function isNetworkName(v: string): v is NetworkName {
  return (NETWORKS as readonly string[]).includes(v);
}

/**
 * What a snapshot means for liveness:
 * - online: the network sees the node working;
 * - offline: the network says it is down (alerts after the grace time and two polls);
 * - maintenance: deliberately stopped (io.net `paused`): never alerts;
 * - other: a state shown as it is (io.net `idle`, `unsupported`) that changes nothing.
 */
export type Liveness = 'online' | 'offline' | 'maintenance' | 'other';

/** A verdict the network itself gave about the node (its own fake-GPU signals). */
export type SignalKind = 'blocked' | 'pow_failed' | 'antispoof_low';

export interface NodeSnapshot {
  externalId: string;
  /** The network's own word for the state (`up`, `paused`, `QUEUED`, `online`…), shown as is. */
  rawState: string;
  liveness: Liveness;
  /** When the network last heard from the node (ms), when it says so; else the observation time. */
  lastSeen?: number;
  observedAt: number;
  gpuModel?: string | null;
  gpuCount?: number | null;
  gpuUuids?: string[];
  /** Country or region as the network shows it. */
  location?: string | null;
  /** The network's own uptime figure: a share 0-1 and/or its text (io.net "0 days 21:40:30"). */
  networkUptime?: { share?: number; text?: string } | null;
  /** Earnings or points where the network gives them, in the network's unit. */
  earnings?: { amount: number; unit: string } | null;
  verdicts: {
    blocked?: boolean;
    /** The last proof-of-work / challenge failed. */
    powFailed?: boolean;
    /** Share of anti-spoof tests passed (Nosana), 0-1. */
    antiSpoofRate?: number | null;
  };
  /** Owner as the network reports it: a wallet (poll), an account id (io.net user). */
  ownerWallet?: string | null;
  /** Device name where the network shows one: carries ownership challenge codes. */
  deviceName?: string | null;
  /** The network's readiness or market (io.net "Cluster Ready", a Nosana market). */
  readiness?: string | null;
  /** When slow-changing parts were last read (hardware, proof-of-work), for adapters. */
  hardwareAt?: number;
  powAt?: number;
}

/** What one round of a source produced. An outage means "unknown", never "offline". */
export type SourceRound =
  /** `idle`: nothing was due, no request made: says nothing about the API's health. */
  | { ok: true; snapshots: NodeSnapshot[]; notFound?: string[]; idle?: boolean }
  | {
      ok: false;
      /** Short reason for staff (no secrets). */
      error: string;
      unauthorized?: boolean;
      /** Whatever was observed before the failure still counts. */
      snapshots: NodeSnapshot[];
      notFound?: string[];
    };

/** A node status source: `poll` walks pages, the networks visit devices within a budget. */
export interface SnapshotSource {
  readonly name: SnapshotSourceName;
  /** Shown to staff in outage notices (a host name, never a token). */
  readonly label: string;
  round(now: number): Promise<SourceRound>;
  /** Our node ids for the external ids a round reported (watched nodes only). */
  resolve(externalIds: string[]): Promise<WatchedNode[]>;
}

/** A watched node of a network source: internal id and the id the network knows. */
export interface WatchedNode {
  id: string;
  externalId: string;
}

/** Thrown by adapters for answers that mean the API, not the node, is in trouble. */
export class SourceOutage extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly unauthorized = false,
  ) {
    super(message);
    this.name = 'SourceOutage';
  }
}
