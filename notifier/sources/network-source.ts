// A real network watched device by device within its request budget: each round visits
// the devices the scheduler says are due (hot ones first), taking a permit per request
// and waiting for one only while the round's time slice lasts. The first answer that
// shows the API itself in trouble ends the round: the network's nodes become "unknown".
import type pg from 'pg';
import { deviceIdOf } from '../../accounts/node-networks';
import type { NetworkView, NetworkViewStore } from '../network-view';
import type { RequestBudget } from './budget';
import type { DeviceScheduler } from './scheduler';
import {
  SourceOutage,
  type NetworkName,
  type NodeSnapshot,
  type SnapshotSource,
  type SourceRound,
  type WatchedNode,
} from './types';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface VisitContext {
  now(): number;
  /** A permit for the first of these request kinds that has one; null when none does in time. */
  take(...kinds: string[]): Promise<string | null>;
  /** A permit only if one is free within a moment (optional extras such as proof-of-work). */
  tryTake(kind: string): Promise<boolean>;
  /** What the network said last time (fields another endpoint gave are carried over). */
  previous: NetworkView | undefined;
  timeoutMs: number;
}

/** A snapshot, "the network does not know this id", or null: no budget left this round. */
export type VisitOutcome = NodeSnapshot | 'not_found' | null;

export interface NetworkAdapter {
  readonly name: NetworkName;
  /** Shown to staff: the API's host. */
  readonly label: string;
  /** Visits in flight at once (hosts that time out must not serialize a whole fleet). */
  readonly concurrency: number;
  visit(externalId: string, ctx: VisitContext): Promise<VisitOutcome>;
  /** A round whose every visit failed alike may mean our side is cut off, not every node. */
  judge?(snapshots: NodeSnapshot[]): string | null;
}

export interface NetworkSourceDeps {
  adapter: NetworkAdapter;
  pool: pg.Pool;
  budget: RequestBudget;
  scheduler: DeviceScheduler;
  view: NetworkViewStore;
  /** Desired interval per device (POLL_INTERVAL_SECONDS). */
  everyMs: number;
  /** How long one round may run (waiting for permits included). */
  sliceMs: number;
  timeoutMs: number;
  clock?: Clock;
}

export class NetworkSource implements SnapshotSource {
  readonly name: NetworkName;
  readonly label: string;
  private readonly clock: Clock;
  /** Device id → the rows watching it (its own row and watch rows); one visit feeds them all. */
  private rowsByDevice = new Map<string, WatchedNode[]>();

  constructor(private readonly deps: NetworkSourceDeps) {
    this.name = deps.adapter.name;
    this.label = deps.adapter.label;
    this.clock = deps.clock ?? realClock;
  }

  /** Watched rows, each with the device id the network knows (a watch row's device). */
  async watched(): Promise<WatchedNode[]> {
    const { rows } = await this.deps.pool.query<{ id: string; external_id: string }>(
      `SELECT id, external_id FROM nodes WHERE network = $1 AND user_id IS NOT NULL ORDER BY id`,
      [this.name],
    );
    return rows.map((r) => ({ id: r.id, externalId: deviceIdOf(r.external_id) }));
  }

  async resolve(externalIds: string[]): Promise<WatchedNode[]> {
    return [...new Set(externalIds)].flatMap((d) => this.rowsByDevice.get(d) ?? []);
  }

  async round(start: number): Promise<SourceRound> {
    const { adapter, scheduler, budget } = this.deps;
    this.rowsByDevice = new Map();
    for (const w of await this.watched())
      this.rowsByDevice.set(w.externalId, [...(this.rowsByDevice.get(w.externalId) ?? []), w]);
    // The scheduler queues devices, not rows: a device watched by many costs one request.
    const devices = [...this.rowsByDevice.keys()];
    await scheduler.sync(devices.map((d) => ({ id: d, externalId: d })));
    const deadline = start + this.deps.sliceMs;
    const snapshots: NodeSnapshot[] = [];
    let outage: SourceOutage | null = null;
    let outOfBudget = false;

    const take = async (...kinds: string[]): Promise<string | null> => {
      for (;;) {
        let wait = Infinity;
        for (const kind of kinds) {
          const w = await budget.take(kind, this.clock.now());
          if (w === 0) return kind;
          wait = Math.min(wait, w);
        }
        if (this.clock.now() + wait > deadline) return null;
        await this.clock.sleep(wait);
      }
    };
    const tryTake = async (kind: string) => {
      const wait = await budget.take(kind, this.clock.now());
      if (wait === 0) return true;
      if (wait > 250 || this.clock.now() + wait > deadline) return false;
      await this.clock.sleep(wait);
      return (await budget.take(kind, this.clock.now())) === 0;
    };

    while (!outage && !outOfBudget && this.clock.now() < deadline) {
      const ids = (await scheduler.due(this.clock.now(), adapter.concurrency)).filter((id) =>
        this.rowsByDevice.has(id),
      );
      if (ids.length === 0) break;
      // Every row of a device holds the same view: the first row's is the device's.
      const previous = await this.deps.view.read(ids.map((d) => this.rowsByDevice.get(d)![0]!.id));
      await Promise.all(
        ids.map(async (id) => {
          let outcome: VisitOutcome;
          try {
            outcome = await adapter.visit(id, {
              now: () => this.clock.now(),
              take,
              tryTake,
              previous: previous.get(this.rowsByDevice.get(id)![0]!.id),
              timeoutMs: this.deps.timeoutMs,
            });
          } catch (err) {
            if (!(err instanceof SourceOutage)) throw err;
            outage ??= err;
            return;
          }
          if (outcome === null) {
            outOfBudget = true;
            return;
          }
          const at = this.clock.now();
          const snapshot: NodeSnapshot =
            outcome === 'not_found'
              ? {
                  externalId: id,
                  rawState: 'not_found',
                  liveness: 'other',
                  observedAt: at,
                  verdicts: {},
                }
              : outcome;
          snapshots.push(snapshot);
          await scheduler.visited(
            id,
            snapshot.rawState,
            snapshot.liveness === 'offline',
            at,
            this.deps.everyMs,
          );
        }),
      );
    }
    if (outage) {
      const o = outage as SourceOutage;
      if (o.retryAfterMs !== undefined) await budget.backoff(this.clock.now(), o.retryAfterMs);
      return { ok: false, error: o.message, unauthorized: o.unauthorized, snapshots };
    }
    if (snapshots.length === 0) return { ok: true, snapshots, idle: true };
    budget.succeeded();
    const verdict = adapter.judge?.(snapshots);
    if (verdict) return { ok: false, error: verdict, unauthorized: false, snapshots: [] };
    return { ok: true, snapshots };
  }
}
