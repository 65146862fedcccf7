// Fleet simulator: node status changes over time for tests, benchmarks (20,000 nodes,
// 2,000 owners), the demo and the notifier's `simulator` source.
//
// Pure and clock-free: the caller owns time and calls `step(nowMs)`; the same seed, nodes,
// options and sequence of calls give the same changes everywhere. What happens in a step,
// in this order:
//   1. churned nodes whose downtime is over come back, and outages due to end recover;
//   2. outages due this step (scheduled in options or requested with massOutage) take
//      down the requested share of the fleet at once;
//   3. flapping nodes toggle every `everySteps` steps;
//   4. churn: that fraction of the other online nodes goes offline for a few steps.
// Nodes that start offline stay offline (dead machines exist in every fleet).
import { Prng } from './prng';
import type { NodeStatus } from './types';

export interface SimNode {
  id: string;
  owner_wallet: string;
  status?: NodeStatus;
  gpu_model?: string;
  gpu_uuids?: string[];
}

export interface ScheduledOutage {
  /** Step number (the first step() call is step 1). */
  atStep: number;
  /** Share of the whole fleet (or of `owners`' nodes) taken down at once. */
  fraction: number;
  /** Recover them all this many steps later; never when omitted (see recoverOutages). */
  recoverAfterSteps?: number;
  /** Limit the outage to these owners' nodes (one operator's data centre going dark). */
  owners?: string[];
}

export interface SimulatorOptions {
  nodes: readonly SimNode[];
  seed: number | string;
  /** Share of eligible online nodes going offline per step; default 0. */
  churn?: number;
  /** How many steps a churned node stays offline, [min, max]; default [1, 5]. */
  downtimeSteps?: [number, number];
  /** This many nodes (chosen by the seed) toggle status every `everySteps` steps. */
  flapping?: { count: number; everySteps: number };
  outages?: ScheduledOutage[];
}

export type ChangeCause = 'churn' | 'recovery' | 'flap' | 'outage' | 'outage_recovery';

export interface StatusChange {
  id: string;
  owner_wallet: string;
  from: NodeStatus;
  to: NodeStatus;
  atMs: number;
  cause: ChangeCause;
}

/** What the push driver sends for one alive node (the heartbeat API item minus its token). */
export interface SimHeartbeat {
  node_id: string;
  status: 'online';
  gpus: Array<{ model: string; uuid: string }>;
}

/** Anything with the network sandbox's setStatus (kept structural so this file stays pure). */
export interface StatusTarget {
  setStatus(id: string, status: NodeStatus, lastSeen?: Date): unknown;
}

function schedule(byStep: Map<number, number[]>, step: number, indexes: readonly number[]) {
  const list = byStep.get(step);
  if (list) list.push(...indexes);
  else byStep.set(step, [...indexes]);
}

const ONLINE = 1;
const OFFLINE = 0;

export class FleetSimulator {
  readonly nodeIds: readonly string[];
  /** Ids of the nodes that flap. */
  readonly flappingIds: readonly string[];
  private readonly nodes: readonly SimNode[];
  private readonly index = new Map<string, number>();
  private readonly rng: Prng;
  private readonly online: Uint8Array;
  private readonly lastSeen: Float64Array;
  private readonly changedAt: Int32Array; // step of the last change, so a node moves once per step
  private readonly flapping: Uint8Array;
  private readonly inOutage: Uint8Array;
  private readonly churnRecoveries = new Map<number, number[]>();
  private readonly outageRecoveries = new Map<number, number[]>();
  private pendingOutages: ScheduledOutage[] = [];
  private stepNo = 0;
  private clockMs = -Infinity;

  constructor(private readonly opts: SimulatorOptions) {
    this.nodes = opts.nodes;
    this.nodeIds = opts.nodes.map((n) => n.id);
    this.nodeIds.forEach((id, i) => this.index.set(id, i));
    if (this.index.size !== this.nodeIds.length) throw new Error('node ids must be unique');
    this.rng = new Prng(opts.seed);
    const n = opts.nodes.length;
    this.online = Uint8Array.from(opts.nodes, (node) => (node.status === 'offline' ? OFFLINE : ONLINE));
    this.lastSeen = new Float64Array(n).fill(NaN);
    this.changedAt = new Int32Array(n).fill(-1);
    this.inOutage = new Uint8Array(n);
    this.flapping = new Uint8Array(n);
    const flapCount = Math.min(opts.flapping?.count ?? 0, n);
    const flappers = this.rng.sample(
      Array.from({ length: n }, (_, i) => i),
      flapCount,
    );
    for (const i of flappers) this.flapping[i] = 1;
    this.flappingIds = flappers.map((i) => this.nodeIds[i]!);
    this.pendingOutages = (opts.outages ?? []).slice();
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.stepNo;
  }

  /** Time of the last step (NaN before the first). */
  get nowMs(): number {
    return Number.isFinite(this.clockMs) ? this.clockMs : NaN;
  }

  /** Takes down `fraction` of the fleet at the next step (see ScheduledOutage). */
  massOutage(fraction: number, opts: Omit<ScheduledOutage, 'atStep' | 'fraction'> = {}): void {
    this.pendingOutages.push({ ...opts, fraction, atStep: this.stepNo + 1 });
  }

  /** Brings every node still down from an outage back at the next step. */
  recoverOutages(): void {
    const ids: number[] = [];
    for (let i = 0; i < this.inOutage.length; i++) if (this.inOutage[i]) ids.push(i);
    schedule(this.outageRecoveries, this.stepNo + 1, ids);
  }

  step(nowMs: number): StatusChange[] {
    if (nowMs < this.clockMs) throw new Error(`time went backwards: ${nowMs} < ${this.clockMs}`);
    this.clockMs = nowMs;
    const step = ++this.stepNo;
    const changes: StatusChange[] = [];
    const set = (i: number, on: boolean, cause: ChangeCause) => {
      if ((this.online[i] === ONLINE) === on) return;
      this.online[i] = on ? ONLINE : OFFLINE;
      this.changedAt[i] = step;
      const node = this.nodes[i]!;
      changes.push({
        id: node.id,
        owner_wallet: node.owner_wallet,
        from: on ? 'offline' : 'online',
        to: on ? 'online' : 'offline',
        atMs: nowMs,
        cause,
      });
    };

    for (const i of this.churnRecoveries.get(step) ?? []) set(i, true, 'recovery');
    this.churnRecoveries.delete(step);
    for (const i of this.outageRecoveries.get(step) ?? []) {
      if (!this.inOutage[i]) continue;
      this.inOutage[i] = 0;
      set(i, true, 'outage_recovery');
    }
    this.outageRecoveries.delete(step);

    const due = this.pendingOutages.filter((o) => o.atStep === step);
    this.pendingOutages = this.pendingOutages.filter((o) => o.atStep > step);
    for (const outage of due) this.startOutage(outage, step, set);

    const every = this.opts.flapping?.everySteps ?? 0;
    if (every > 0 && step % every === 0) {
      for (let i = 0; i < this.flapping.length; i++) {
        if (this.flapping[i] && !this.inOutage[i]) set(i, this.online[i] !== ONLINE, 'flap');
      }
    }

    const churn = this.opts.churn ?? 0;
    if (churn > 0) {
      const eligible: number[] = [];
      for (let i = 0; i < this.online.length; i++) {
        if (this.online[i] === ONLINE && !this.flapping[i] && this.changedAt[i] !== step) eligible.push(i);
      }
      // Stochastic rounding keeps small fleets churning at the right average rate.
      const exact = churn * eligible.length;
      const k = Math.floor(exact) + (this.rng.chance(exact - Math.floor(exact)) ? 1 : 0);
      const [minDown, maxDown] = this.opts.downtimeSteps ?? [1, 5];
      for (const i of this.rng.sample(eligible, k)) {
        set(i, false, 'churn');
        const back = step + this.rng.int(Math.max(1, minDown), Math.max(1, minDown, maxDown));
        schedule(this.churnRecoveries, back, [i]);
      }
    }

    for (let i = 0; i < this.online.length; i++) if (this.online[i] === ONLINE) this.lastSeen[i] = nowMs;
    return changes;
  }

  private startOutage(
    outage: ScheduledOutage,
    step: number,
    set: (i: number, on: boolean, c: ChangeCause) => void,
  ) {
    const owners = outage.owners ? new Set(outage.owners) : null;
    const scope: number[] = [];
    for (let i = 0; i < this.nodes.length; i++) {
      if (!owners || owners.has(this.nodes[i]!.owner_wallet)) scope.push(i);
    }
    const target = Math.round(Math.min(1, Math.max(0, outage.fraction)) * scope.length);
    const candidates = scope.filter((i) => this.online[i] === ONLINE && !this.flapping[i]);
    const hit = this.rng.sample(candidates, target);
    for (const i of hit) {
      this.inOutage[i] = 1;
      set(i, false, 'outage');
    }
    if (outage.recoverAfterSteps !== undefined) {
      const back = step + Math.max(1, outage.recoverAfterSteps);
      schedule(this.outageRecoveries, back, hit);
    }
  }

  status(id: string): NodeStatus {
    const i = this.index.get(id);
    if (i === undefined) throw new Error(`unknown node ${id}`);
    return this.online[i] === ONLINE ? 'online' : 'offline';
  }

  /** Time the node was last alive at a step; undefined if it never was. */
  lastSeenMs(id: string): number | undefined {
    const i = this.index.get(id);
    const t = i === undefined ? NaN : this.lastSeen[i]!;
    return Number.isNaN(t) ? undefined : t;
  }

  /** Ids of the nodes alive now (after the last step). */
  alive(): string[] {
    return this.nodeIds.filter((_, i) => this.online[i] === ONLINE);
  }

  offline(): string[] {
    return this.nodeIds.filter((_, i) => this.online[i] !== ONLINE);
  }

  /** One heartbeat per alive node, for a push-source driver to send with each node's token. */
  heartbeats(): SimHeartbeat[] {
    const out: SimHeartbeat[] = [];
    for (let i = 0; i < this.nodes.length; i++) {
      if (this.online[i] !== ONLINE) continue;
      const node = this.nodes[i]!;
      const model = node.gpu_model ?? 'unknown';
      out.push({
        node_id: node.id,
        status: 'online',
        gpus: (node.gpu_uuids ?? []).map((uuid) => ({ model, uuid })),
      });
    }
    return out;
  }

  /**
   * Applies changes to the network emulator (or anything with setStatus). Offline nodes keep
   * the time they were last alive; with `touchOnline` (default) every alive node's
   * `last_seen` also moves to now, as a real network's would.
   */
  applyTo(
    target: StatusTarget,
    changes: readonly StatusChange[],
    opts: { touchOnline?: boolean } = {},
  ): void {
    for (const c of changes) {
      const seen = c.to === 'online' ? c.atMs : this.lastSeenMs(c.id);
      target.setStatus(c.id, c.to, seen === undefined ? undefined : new Date(seen));
    }
    if (opts.touchOnline ?? true) {
      const now = new Date(this.clockMs);
      for (let i = 0; i < this.nodes.length; i++) {
        if (this.online[i] === ONLINE) target.setStatus(this.nodeIds[i]!, 'online', now);
      }
    }
  }
}

export function createFleetSimulator(opts: SimulatorOptions): FleetSimulator {
  return new FleetSimulator(opts);
}
