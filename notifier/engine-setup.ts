// What the notifier engine is made of: its rules (from the config), its Redis stores, and
// what it is built from; kept apart from the engine's workers so engine.ts reads as wiring.
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import type { DeliveryService } from './delivery/service';
import type { FlapRules } from './incidents/apply-events';
import type { AlertRules } from './incidents/effects';
import { SourceHealth } from './liveness/source-health';
import { LivenessStore } from './liveness/store';
import { NetworkViewStore } from './network-view';
import { sourceSettingsFromConfig, type SourceSettings } from './sources/build';
import type { NetworkNode } from './sources/poller';
import type { VerdictSink } from './sources/sink';
import { NETWORKS, type SnapshotSourceName } from './sources/types';
import { simulatorShape, type SimulatorShape } from './sources/simulator';
import type { StaffNotifier } from './staff';

export interface NotifierRules extends AlertRules, FlapRules {
  graceMs: number;
  /** The snapshot sources on (reference poller, real networks) and their settings. */
  sources: SourceSettings;
  simulator?: boolean;
  /** SIMULATOR_SHAPE parsed (config validated it). */
  simulatorShape?: SimulatorShape;
  sweepEveryMs: number;
  flapStableMs: number;
  claimIdleMs?: number;
  /** A mass silence of push nodes is held as "unknown" this long before alerting. */
  massHoldMs?: number;
  /** Tries before a liveness event that keeps failing is dead-lettered (default 5). */
  maxTries?: number;
  /** Consumer lag (events) that warns staff (default 50,000; at most half the stream cap). */
  lagWarnAt?: number;
}

export function rulesFromConfig(config: Config): NotifierRules {
  return {
    graceMs: config.OFFLINE_GRACE_SECONDS * 1000,
    sources: sourceSettingsFromConfig(config),
    simulator: config.NODE_SOURCE.includes('simulator'),
    ...(() => {
      const shape = simulatorShape(config.SIMULATOR_SHAPE);
      return 'error' in shape ? {} : { simulatorShape: shape };
    })(),
    sweepEveryMs: config.SWEEP_INTERVAL_MS,
    groupWaitMs: config.ALERT_GROUP_WAIT_SECONDS * 1000,
    updateIntervalMs: config.ALERT_UPDATE_INTERVAL_SECONDS * 1000,
    reminderAfterMs: config.ALERT_REMINDER_AFTER_SECONDS * 1000,
    reminderEveryMs: config.ALERT_REMINDER_EVERY_SECONDS * 1000,
    threshold: config.FLAP_THRESHOLD,
    windowMs: config.FLAP_WINDOW_SECONDS * 1000,
    flapStableMs: config.FLAP_STABLE_SECONDS * 1000,
    claimIdleMs: config.LIVENESS_CLAIM_IDLE_MS,
    massHoldMs: config.INGEST_HOLD_SECONDS * 1000,
  };
}

export interface NotifierStores {
  push: LivenessStore;
  /** One liveness store per snapshot source (poll and every network). */
  sources: Record<SnapshotSourceName, LivenessStore>;
  health: SourceHealth;
  networkView: NetworkViewStore;
}

/** The notifier's Redis stores; the composition root builds them once and shares them. */
export function notifierStores(hub: Pick<QueueHub, 'redis' | 'prefix'>): NotifierStores {
  const sources = Object.fromEntries(
    (['poll', ...NETWORKS] as const).map((n) => [n, new LivenessStore(hub.redis, hub.prefix, n)]),
  ) as Record<SnapshotSourceName, LivenessStore>;
  return {
    push: new LivenessStore(hub.redis, hub.prefix, 'push'),
    sources,
    health: new SourceHealth(hub.redis, hub.prefix),
    networkView: new NetworkViewStore(hub.redis, hub.prefix),
  };
}

/** What the engine is built from (the workers role passes these). */
export interface NotifierEngineDeps {
  db: Db;
  hub: QueueHub;
  delivery: DeliveryService;
  logger: Logger;
  redisUrl: string;
  rules: NotifierRules;
  staff?: StaffNotifier;
  /** Stores built once by the composition root (cli/compose.ts); built here only when absent. */
  stores?: NotifierStores;
  /** Each poll page's nodes (moderation evidence: GPU UUIDs, ip_hash, benchmarks). */
  onNetworkNodes?: (nodes: NetworkNode[]) => Promise<void>;
  /** Moderation's entry point for the networks' verdicts (io.net `blocked` opens a detected case). */
  verdicts?: VerdictSink;
}

/** Each snapshot source's repeatable round: its queue and period. */
export interface SourceSchedule {
  queue: 'network-poll' | 'source-ionet' | 'source-nosana' | 'source-akash';
  every: number;
}
