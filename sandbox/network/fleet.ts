// Deterministic fleets of network nodes: owners with skewed node counts, real GPU models
// with plausible benchmarks and, on request, clusters of fake cards showing the signals
// moderators look for. Pure: the same options give the same fleet.
import { findGpuModel, type GpuModelSpec } from './gpu-models';
import { Prng } from './prng';
import type { NetworkNode } from './types';

export type FakeSignal = 'shared_gpu_uuid' | 'shared_ip' | 'underperforming';
export const FAKE_SIGNALS: readonly FakeSignal[] = ['shared_gpu_uuid', 'shared_ip', 'underperforming'];

export interface FakeCardOptions {
  clusters: number;
  /** Nodes per cluster; default 6. */
  size?: number;
  /** Signals handed out to clusters in turn; default all three. */
  signals?: FakeSignal[];
  /** Every cluster shows all `signals` at once instead of one each. */
  combined?: boolean;
}

export interface GenerateFleetOptions {
  count: number;
  seed: number | string;
  /** Owner wallets; every one gets at least one node when count allows. */
  owners?: string[];
  /** When `owners` is not given: how many Solana-style wallets to make (default count/10). */
  ownerCount?: number;
  /** GPU model names (see gpu-models.ts); default a mix weighted toward consumer cards. */
  gpuModels?: string[];
  /** Share of nodes that start offline; default 0. */
  offlineFraction?: number;
  fakeCards?: FakeCardOptions;
  /** Reference time for `last_seen`; default now. */
  now?: Date;
}

export interface FakeCardCluster {
  signals: FakeSignal[];
  nodeIds: string[];
  /** The GPU UUID every node of the cluster reports (shared_gpu_uuid). */
  sharedGpuUuid?: string;
  /** The one IP hash behind which all the cluster's GPUs sit (shared_ip). */
  sharedIpHash?: string;
  /** The model the cluster claims while benchmarking far below it (underperforming). */
  claimedModel?: string;
}

export interface GeneratedFleet {
  nodes: NetworkNode[];
  owners: string[];
  fakeClusters: FakeCardCluster[];
}

// Consumer cards dominate DePIN fleets; data-centre cards are rarer.
const DEFAULT_MODEL_MIX = [
  ...Array<string>(4).fill('NVIDIA GeForce RTX 4090'),
  ...Array<string>(3).fill('NVIDIA GeForce RTX 3090'),
  'NVIDIA GeForce RTX 4080',
  'NVIDIA RTX A6000',
  'NVIDIA A100-SXM4-80GB',
  'NVIDIA H100 80GB HBM3',
  'NVIDIA L40S',
  'Tesla T4',
  'Apple M2 Ultra',
];
const CLAIMED_FAKE_MODEL = 'NVIDIA H100 80GB HBM3';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** A syntactically valid Solana address (32 random bytes); nobody holds its key. */
export function fakeSolanaWallet(rng: Prng): string {
  return base58(rng.bytes(32));
}

const gpuUuid = (rng: Prng) => `GPU-${rng.uuid()}`;
const round1 = (x: number) => Math.round(x * 10) / 10;

function gpuCountFor(spec: GpuModelSpec, rng: Prng): number {
  if (spec.name.startsWith('Apple')) return 1;
  // Data-centre cards come in servers of 1 to 8; consumer rigs hold one or two.
  return spec.vramGb >= 40 ? rng.pick([1, 1, 2, 4, 8]) : rng.pick([1, 1, 1, 2]);
}

function specFor(name: string): GpuModelSpec {
  const spec = findGpuModel(name);
  if (!spec) throw new Error(`unknown GPU model "${name}" (see sandbox/network/gpu-models.ts)`);
  return spec;
}

export function generateFleet(opts: GenerateFleetOptions): GeneratedFleet {
  const rng = new Prng(opts.seed);
  const now = (opts.now ?? new Date()).getTime();
  const owners =
    opts.owners && opts.owners.length > 0
      ? opts.owners.slice()
      : Array.from({ length: opts.ownerCount ?? Math.max(1, Math.ceil(opts.count / 10)) }, () =>
          fakeSolanaWallet(rng),
        );
  const models = (opts.gpuModels ?? DEFAULT_MODEL_MIX).map(specFor);
  // Each owner's machines sit behind one to three addresses.
  const ownerIps = new Map(owners.map((o) => [o, Array.from({ length: rng.int(1, 3) }, () => rng.hex(64))]));

  const nodes: NetworkNode[] = [];
  for (let i = 0; i < opts.count; i++) {
    // Everyone gets one node first; the rest go mostly to a few big operators (squared skew).
    const owner = i < owners.length ? owners[i]! : owners[Math.floor(owners.length * rng.next() ** 2)]!;
    const spec = rng.pick(models);
    const gpuCount = gpuCountFor(spec, rng);
    const offline = rng.chance(opts.offlineFraction ?? 0);
    nodes.push({
      id: rng.uuid(),
      status: offline ? 'offline' : 'online',
      last_seen: new Date(now - (offline ? rng.int(5, 120) * 60_000 : rng.int(0, 25) * 1000)).toISOString(),
      owner_wallet: owner,
      gpu_model: spec.name,
      gpu_count: gpuCount,
      gpu_uuids: Array.from({ length: gpuCount }, () => gpuUuid(rng)),
      ip_hash: rng.pick(ownerIps.get(owner)!),
      // Real benchmarks land somewhat under the data-sheet peak.
      benchmark_tflops: round1(spec.fp32 * rng.between(0.82, 0.97)),
    });
  }
  return { nodes, owners, fakeClusters: opts.fakeCards ? addFakeCards(nodes, opts.fakeCards, rng) : [] };
}

function addFakeCards(nodes: NetworkNode[], fake: FakeCardOptions, rng: Prng): FakeCardCluster[] {
  const size = fake.size ?? 6;
  const signals = fake.signals && fake.signals.length > 0 ? fake.signals : FAKE_SIGNALS;
  if (fake.clusters * size > nodes.length) {
    throw new RangeError(`fakeCards needs ${fake.clusters * size} nodes but the fleet has ${nodes.length}`);
  }
  // Spread the fakes through the fleet so they turn up on several API pages.
  const chosen = rng.sample(
    nodes.map((_, i) => i),
    fake.clusters * size,
  );
  const clusters: FakeCardCluster[] = [];
  for (let c = 0; c < fake.clusters; c++) {
    const members = chosen.slice(c * size, (c + 1) * size).map((i) => nodes[i]!);
    const cluster: FakeCardCluster = {
      signals: fake.combined ? [...signals] : [signals[c % signals.length]!],
      nodeIds: members.map((n) => n.id),
    };
    if (cluster.signals.includes('shared_ip')) {
      // A whole rack of top-end cards behind one (home) address.
      cluster.sharedIpHash = rng.hex(64);
      const spec = specFor(CLAIMED_FAKE_MODEL);
      for (const n of members) {
        n.ip_hash = cluster.sharedIpHash;
        n.gpu_model = spec.name;
        n.gpu_count = 8;
        n.gpu_uuids = Array.from({ length: 8 }, () => gpuUuid(rng));
        n.benchmark_tflops = round1(spec.fp32 * rng.between(0.82, 0.97));
      }
    }
    if (cluster.signals.includes('shared_gpu_uuid')) {
      // One physical card (or a copied UUID) reported by many nodes.
      cluster.sharedGpuUuid = gpuUuid(rng);
      for (const n of members) n.gpu_uuids[0] = cluster.sharedGpuUuid;
    }
    if (cluster.signals.includes('underperforming')) {
      // Claims a data-centre card, benchmarks like a T4-to-3080 class card.
      cluster.claimedModel = CLAIMED_FAKE_MODEL;
      for (const n of members) {
        n.gpu_model = CLAIMED_FAKE_MODEL;
        n.benchmark_tflops = round1(rng.between(7, 14));
      }
    }
    clusters.push(cluster);
  }
  return clusters;
}
