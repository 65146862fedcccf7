// The demo fleet's real-network part: nodes of each network (io.net devices, Nosana nodes,
// Akash providers) owned by the demo owners, served by the sandbox's emulators of the three
// public APIs and watched with nothing installed, as a miner's would be. A timeline takes
// one node of each network down in turn (io.net `down`, a Nosana host that stops answering,
// an Akash provider `isOnline: false`); one io.net device stays paused (never alerts).
import type { PrismaClient } from '@prisma/client';
import { akashProvider, ionetDeviceId, nosanaNodeKey } from '../sandbox/network/ids';
import type { RealNetworksSandbox } from '../sandbox/network/real-networks';
import { parseShapeSpec } from '../core/sim-shape';

export type DemoNetwork = 'ionet' | 'nosana' | 'akash';

export interface DemoNetworkNode {
  network: DemoNetwork;
  id: string;
  /** Index into the demo owners. */
  owner: number;
}

export interface NetworkFleetShape {
  /** Nodes per network. */
  perNetwork: number;
  /** One node of each network goes down this often, for `downMs`. */
  everyMs: number;
  downMs: number;
}

export const DEMO_NETWORK_SHAPE: NetworkFleetShape = { perNetwork: 4, everyMs: 3 * 60_000, downMs: 75_000 };

/** DEMO_NETWORKS, e.g. `nodes=6,every=2m,down=60s`. */
export function networkShape(spec: string | undefined): NetworkFleetShape | { error: string } {
  if (!spec) return DEMO_NETWORK_SHAPE;
  const p = parseShapeSpec(spec, { nodes: 'count', every: 'duration', down: 'duration' });
  if (!p.ok) return { error: `DEMO_NETWORKS: ${p.error}` };
  const shape = {
    perNetwork: (p.values.nodes as number | undefined) ?? DEMO_NETWORK_SHAPE.perNetwork,
    everyMs: (p.values.every as number | undefined) ?? DEMO_NETWORK_SHAPE.everyMs,
    downMs: (p.values.down as number | undefined) ?? DEMO_NETWORK_SHAPE.downMs,
  };
  return shape.downMs >= shape.everyMs ? { error: 'DEMO_NETWORKS: down must be shorter than every' } : shape;
}

export function demoNetworkNodes(owners: number, shape: NetworkFleetShape): DemoNetworkNode[] {
  const out: DemoNetworkNode[] = [];
  for (let i = 0; i < shape.perNetwork; i++) {
    const owner = i % Math.max(1, owners);
    out.push({ network: 'ionet', id: ionetDeviceId(`demo-${i}`), owner });
    out.push({ network: 'nosana', id: nosanaNodeKey(`demo-${i}`), owner });
    out.push({ network: 'akash', id: akashProvider(`demo-${i}`), owner });
  }
  return out;
}

/** The owners' network nodes: watched through their network (no token, no proof). */
export async function seedNetworkNodes(
  prisma: PrismaClient,
  ownerUserIds: string[],
  nodes: DemoNetworkNode[],
) {
  await prisma.node.createMany({
    data: nodes.map((n) => ({ externalId: n.id, userId: ownerUserIds[n.owner]!, network: n.network })),
    skipDuplicates: true,
  });
}

export class DemoNetworks {
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;
  /** Stays paused: shows that paused never alerts. */
  readonly pausedId: string | undefined;

  constructor(
    private readonly real: RealNetworksSandbox,
    readonly nodes: DemoNetworkNode[],
    private readonly shape: NetworkFleetShape,
  ) {
    for (const n of nodes) {
      if (n.network === 'ionet')
        real.ionet.add({ id: n.id, status: 'up', name: `demo-rig-${n.id.slice(0, 4)}` });
      if (n.network === 'nosana') real.nosana.add({ pubkey: n.id, state: 'RUNNING_JOB' });
      if (n.network === 'akash') real.akash.add({ owner: n.id, isOnline: true });
    }
    this.pausedId = nodes.filter((n) => n.network === 'ionet')[1]?.id;
    if (this.pausedId) real.ionet.setStatus(this.pausedId, 'paused');
  }

  start(): void {
    this.timer = setInterval(() => this.outage(), this.shape.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Takes the next node of each network down, and back after `downMs`. */
  outage(): DemoNetworkNode[] {
    const picks = (['ionet', 'nosana', 'akash'] as const).flatMap((network) => {
      const own = this.nodes.filter((n) => n.network === network && n.id !== this.pausedId);
      return own.length ? [own[this.turn % own.length]!] : [];
    });
    this.turn++;
    for (const n of picks) this.set(n, false);
    const back = setTimeout(() => picks.forEach((n) => this.set(n, true)), this.shape.downMs);
    back.unref();
    return picks;
  }

  private set(n: DemoNetworkNode, up: boolean): void {
    if (n.network === 'ionet') this.real.ionet.setStatus(n.id, up ? 'up' : 'down');
    if (n.network === 'nosana') this.real.nosana.add({ pubkey: n.id, answer: up ? 'ok' : 'reset' });
    if (n.network === 'akash') this.real.akash.setOnline(n.id, up);
  }
}
