// The demo's world: a few demo users who own a simulated fleet of a few hundred nodes on
// the network emulator (churn, one flapping node, a mass outage every few minutes), and
// the visitor's own nodes, whose heartbeats the console sends as an agent would.
import crypto from 'node:crypto';
import type { PrismaClient } from '@prisma/client';
import {
  createFleetSimulator,
  type FleetSimulator,
  type GeneratedFleet,
  type NetworkSandbox,
} from '../sandbox/network';
import { parseShapeSpec } from '../core/sim-shape';
import { seedNetworkNodes, type DemoNetworkNode } from './networks';

export interface DemoOwner {
  name: string;
  platform: 'TELEGRAM' | 'DISCORD';
  platformUserId: string;
  locale: 'en' | 'zh';
  wallet: string;
}

export interface FleetShape {
  nodes: number;
  /** One simulator step (the network's view moves on this often). */
  stepMs: number;
  /** Share of online nodes that drop per step. */
  churn: number;
  /** A mass outage every this long (the first one after `firstOutageMs`). */
  outageEveryMs: number;
  firstOutageMs: number;
  outageFraction: number;
  outageMs: number;
  /** The flapping node toggles this often. */
  flapEveryMs: number;
}

export const DEMO_FLEET_SHAPE: FleetShape = {
  nodes: 300,
  stepMs: 5_000,
  churn: 0.001,
  outageEveryMs: 4 * 60_000,
  firstOutageMs: 2 * 60_000,
  outageFraction: 0.3,
  outageMs: 60_000,
  flapEveryMs: 35_000,
};

/** DEMO_FLEET, e.g. `nodes=500,churn=0.002,outage-every=5m,first-outage=1m,outage-share=0.3,outage=60s,flap-every=35s`. */
export function fleetShape(spec: string | undefined): FleetShape | { error: string } {
  if (!spec) return DEMO_FLEET_SHAPE;
  const p = parseShapeSpec(spec, {
    nodes: 'count',
    step: 'duration',
    churn: 'share',
    'outage-every': 'duration',
    'first-outage': 'duration',
    'outage-share': 'share',
    outage: 'duration',
    'flap-every': 'duration',
  });
  if (!p.ok) return { error: `DEMO_FLEET: ${p.error}` };
  const v = p.values as Record<string, number | undefined>;
  const shape: FleetShape = {
    nodes: v.nodes ?? DEMO_FLEET_SHAPE.nodes,
    stepMs: v.step ?? DEMO_FLEET_SHAPE.stepMs,
    churn: v.churn ?? DEMO_FLEET_SHAPE.churn,
    outageEveryMs: v['outage-every'] ?? DEMO_FLEET_SHAPE.outageEveryMs,
    firstOutageMs: v['first-outage'] ?? DEMO_FLEET_SHAPE.firstOutageMs,
    outageFraction: v['outage-share'] ?? DEMO_FLEET_SHAPE.outageFraction,
    outageMs: v.outage ?? DEMO_FLEET_SHAPE.outageMs,
    flapEveryMs: v['flap-every'] ?? DEMO_FLEET_SHAPE.flapEveryMs,
  };
  if (shape.nodes < 1 || shape.stepMs < 1_000) return { error: 'DEMO_FLEET: nodes ≥ 1 and step ≥ 1s' };
  return shape;
}

export interface FleetSummary {
  total: number;
  online: number;
  offline: number;
  flappingId: string | undefined;
  nextOutageAt: number;
  lastOutageAt: number | undefined;
  apiDown: boolean;
  owners: Array<{ name: string; platform: string; nodes: number; offline: number }>;
}

/**
 * Writes the demo owners, their verified wallets and their nodes (claimed, no token), and
 * their io.net / Nosana / Akash nodes (demo/networks.ts). Returns the owners' user ids.
 */
export async function seedFleetOwners(
  prisma: PrismaClient,
  owners: DemoOwner[],
  fleet: GeneratedFleet,
  networkNodes: DemoNetworkNode[] = [],
): Promise<string[]> {
  const userIds: string[] = [];
  for (const o of owners) {
    const userId = crypto.randomUUID();
    userIds.push(userId);
    await prisma.user.create({ data: { id: userId, locale: o.locale } });
    await prisma.identity.create({
      data: {
        userId,
        platform: o.platform,
        platformUserId: o.platformUserId,
        username: o.name,
        locale: o.locale,
        localeIsChosen: true,
        ...(o.platform === 'TELEGRAM' ? { dmChatId: o.platformUserId } : {}),
      },
    });
    await prisma.wallet.create({
      data: { userId, chain: 'SOLANA', address: o.wallet, verifiedAt: new Date() },
    });
    const mine = fleet.nodes.filter((n) => n.owner_wallet === o.wallet);
    await prisma.node.createMany({
      data: mine.map((n) => ({
        externalId: n.id,
        userId,
        ownerWallet: n.owner_wallet,
        gpuModel: n.gpu_model,
        gpuCount: n.gpu_count,
      })),
    });
  }
  await seedNetworkNodes(prisma, userIds, networkNodes);
  return userIds;
}

/** Drives the simulated fleet on the network emulator, one step every `stepMs`. */
export class DemoFleet {
  readonly sim: FleetSimulator;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private nextOutageAt: number;
  private lastOutageAt: number | undefined;
  private apiDown = false;

  constructor(
    private readonly net: NetworkSandbox,
    readonly fleet: GeneratedFleet,
    private readonly owners: DemoOwner[],
    private readonly shape: FleetShape,
    private readonly onChange: () => void,
  ) {
    this.sim = createFleetSimulator({
      nodes: fleet.nodes,
      seed: 'nodedesk-demo',
      churn: shape.churn,
      // Churned nodes stay down long enough to pass the grace time, so some alerts happen.
      downtimeSteps: [8, 30],
      flapping: { count: 1, everySteps: Math.max(1, Math.round(shape.flapEveryMs / shape.stepMs)) },
    });
    this.nextOutageAt = this.startedAt + shape.firstOutageMs;
  }

  start(): void {
    this.step();
    this.timer = setInterval(() => this.step(), this.shape.stepMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Takes `outageFraction` of the fleet down at the next step (a data centre going dark). */
  outageNow(): void {
    this.lastOutageAt = Date.now();
    this.nextOutageAt = this.lastOutageAt + this.shape.outageEveryMs;
    this.sim.massOutage(this.shape.outageFraction, {
      recoverAfterSteps: Math.max(1, Math.round(this.shape.outageMs / this.shape.stepMs)),
    });
    this.step();
  }

  /** The network API itself fails: its nodes become "unknown", staff get one notice. */
  setApiDown(down: boolean): void {
    this.apiDown = down;
    if (down) this.net.down();
    else this.net.up();
    this.onChange();
  }

  summary(): FleetSummary {
    const offline = new Set(this.sim.offline());
    return {
      total: this.fleet.nodes.length,
      online: this.fleet.nodes.length - offline.size,
      offline: offline.size,
      flappingId: this.sim.flappingIds[0],
      nextOutageAt: this.nextOutageAt,
      lastOutageAt: this.lastOutageAt,
      apiDown: this.apiDown,
      owners: this.owners.map((o) => {
        const ids = this.fleet.nodes.filter((n) => n.owner_wallet === o.wallet).map((n) => n.id);
        return {
          name: o.name,
          platform: o.platform,
          nodes: ids.length,
          offline: ids.filter((id) => offline.has(id)).length,
        };
      }),
    };
  }

  private step(): void {
    const now = Date.now();
    if (now >= this.nextOutageAt) {
      this.outageNow();
      return;
    }
    this.sim.applyTo(this.net, this.sim.step(now));
    this.onChange();
  }
}

/** The visitor's own machines: the console beats for them, like a heartbeat agent would. */
export class MinerAgents {
  private readonly nodes = new Map<
    string,
    { token: string; on: boolean; platform: string; lastBeatAt?: number }
  >();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly heartbeatUrl: string,
    private readonly everyMs: number,
    private readonly onChange: () => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  add(nodeId: string, token: string, platform: string): void {
    this.nodes.set(nodeId, { token, on: true, platform });
    void this.beat();
  }

  set(nodeId: string, on: boolean): boolean {
    const n = this.nodes.get(nodeId);
    if (!n) return false;
    n.on = on;
    if (on) void this.beat();
    this.onChange();
    return true;
  }

  list(): Array<{ nodeId: string; on: boolean; platform: string; lastBeatAt?: number }> {
    return [...this.nodes].map(([nodeId, n]) => ({
      nodeId,
      on: n.on,
      platform: n.platform,
      ...(n.lastBeatAt ? { lastBeatAt: n.lastBeatAt } : {}),
    }));
  }

  private async beat(): Promise<void> {
    const live = [...this.nodes].filter(([, n]) => n.on);
    if (live.length === 0) return;
    const res = await fetch(this.heartbeatUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        heartbeats: live.map(([id, n]) => ({ token: n.token, node_id: id, status: 'online' })),
      }),
    }).catch(() => undefined);
    if (res?.ok) {
      const at = Date.now();
      for (const [, n] of live) n.lastBeatAt = at;
      this.onChange();
    }
  }
}
