// The named evidence signals and their points. A case's score is the sum of the points of
// its signals, each shown on the card with the numbers behind it: moderators can check
// every point, nothing is a black box. Pure functions over facts gathered by evidence.ts.
import { findGpuSpec } from './gpu-specs';

export const SIGNAL_CODES = [
  'shared_gpu_uuid',
  'ip_gpu_density',
  'benchmark_low',
  'fingerprint_burst',
  'uptime_pattern',
  'network_verdict',
  'reports',
] as const;
export type SignalCode = (typeof SIGNAL_CODES)[number];

export interface Signal {
  code: SignalCode;
  points: number;
  /** Strong enough to open a "detected" case without any report. */
  strong: boolean;
  /** The numbers behind it, shown on the card (i18n placeholders). */
  numbers: Record<string, string | number>;
  /** Nodes the signal ties together (a cluster), in full. */
  nodeIds?: string[];
}

export interface SignalRules {
  /** More GPUs than this behind one ip_hash is implausible for one machine (or home). */
  maxGpusPerIp: number;
  /** Nodes with one hardware fingerprint registered within `burstWindowMinutes`. */
  burstMinNodes: number;
  burstWindowMinutes: number;
  /** Benchmark below this share of the model's FP32 peak. */
  benchmarkMinRatio: number;
  /** Points per unit of reputation weight of a counted report. */
  reportPoints: number;
}

export const DEFAULT_SIGNAL_RULES: SignalRules = {
  maxGpusPerIp: 16,
  burstMinNodes: 5,
  burstWindowMinutes: 10,
  benchmarkMinRatio: 0.5,
  reportPoints: 10,
};

const round1 = (x: number) => Math.round(x * 10) / 10;

/** One GPU UUID seen on several nodes: one physical card (or a copied id) behind many "cards". */
export function sharedGpuUuid(shared: Array<{ uuid: string; nodeIds: string[] }>): Signal | null {
  const multi = shared
    .filter((s) => s.nodeIds.length > 1)
    .sort((a, b) => b.nodeIds.length - a.nodeIds.length);
  const top = multi[0];
  if (!top) return null;
  const n = top.nodeIds.length;
  const points = Math.min(60, 20 * (n - 1) + 5 * (multi.length - 1));
  return {
    code: 'shared_gpu_uuid',
    points,
    strong: n >= 3,
    numbers: { uuid: top.uuid, nodes: n, more: multi.length - 1 },
    nodeIds: [...top.nodeIds].sort(),
  };
}

/** Too many GPUs behind one address for one machine. */
export function ipGpuDensity(
  ips: Array<{ ipHash: string; gpus: number; nodeIds: string[] }>,
  rules: SignalRules,
): Signal | null {
  const top = [...ips].sort((a, b) => b.gpus - a.gpus)[0];
  if (!top || top.gpus <= rules.maxGpusPerIp) return null;
  const points = Math.min(40, 10 + 5 * Math.floor((top.gpus - rules.maxGpusPerIp) / 8));
  return {
    code: 'ip_gpu_density',
    points,
    // Never strong alone: a large operator's machines behind one NAT look the same.
    strong: false,
    numbers: {
      ip: top.ipHash.slice(0, 12),
      gpus: top.gpus,
      nodes: top.nodeIds.length,
      max: rules.maxGpusPerIp,
    },
    nodeIds: [...top.nodeIds].sort(),
  };
}

/** Benchmarks far below the claimed model's data-sheet figure (worst node shown). */
export function benchmarkLow(
  rows: Array<{ nodeId: string; gpuModel: string | null; benchmarkTflops: number | null }>,
  rules: SignalRules,
): Signal | null {
  const low = rows.flatMap((r) => {
    const spec = findGpuSpec(r.gpuModel);
    if (!spec || r.benchmarkTflops === null) return [];
    const ratio = r.benchmarkTflops / spec.fp32;
    return ratio < rules.benchmarkMinRatio ? [{ ...r, spec, ratio }] : [];
  });
  if (low.length === 0) return null;
  const worst = low.sort((a, b) => a.ratio - b.ratio)[0]!;
  return {
    code: 'benchmark_low',
    points: worst.ratio < rules.benchmarkMinRatio / 2 ? 30 : 20,
    strong: false,
    numbers: {
      model: worst.spec.name,
      expected: worst.spec.fp32,
      measured: round1(worst.benchmarkTflops!),
      percent: Math.round(worst.ratio * 100),
      source: worst.spec.source,
      nodes: low.length,
    },
    nodeIds: low.map((l) => l.nodeId).sort(),
  };
}

/** Many nodes with identical hardware that appeared within minutes of each other. */
export function fingerprintBurst(
  burst: { fingerprint: string; nodeIds: string[]; spanMinutes: number } | null,
  rules: SignalRules,
): Signal | null {
  if (!burst || burst.nodeIds.length < rules.burstMinNodes) return null;
  return {
    code: 'fingerprint_burst',
    points: Math.min(30, 15 + (burst.nodeIds.length - rules.burstMinNodes)),
    strong: false,
    numbers: {
      fingerprint: burst.fingerprint,
      nodes: burst.nodeIds.length,
      minutes: Math.max(1, Math.round(burst.spanMinutes)),
    },
    nodeIds: [...burst.nodeIds].sort(),
  };
}

/** Nodes of the case that repeatedly dropped offline together: one machine behind them. */
export function uptimePattern(
  pattern: { coDrops: number; nodes: number; days: number } | null,
): Signal | null {
  if (!pattern || pattern.coDrops < 2 || pattern.nodes < 2) return null;
  return {
    code: 'uptime_pattern',
    points: Math.min(20, 10 + 2 * (pattern.coDrops - 2)),
    strong: false,
    numbers: { drops: pattern.coDrops, nodes: pattern.nodes, days: pattern.days },
  };
}

export interface NetworkVerdict {
  nodeId: string;
  network: string;
  kind: 'blocked' | 'pow_failed' | 'antispoof_low';
}

const VERDICT_POINTS: Record<NetworkVerdict['kind'], number> = {
  blocked: 50,
  pow_failed: 25,
  antispoof_low: 25,
};

/** The network's own verdict (io.net `blocked`, failed proof-of-work, Nosana anti-spoof). */
export function networkVerdict(verdicts: NetworkVerdict[]): Signal | null {
  if (verdicts.length === 0) return null;
  const worst = [...verdicts].sort((a, b) => VERDICT_POINTS[b.kind] - VERDICT_POINTS[a.kind])[0]!;
  const nodes = [...new Set(verdicts.filter((v) => v.kind === worst.kind).map((v) => v.nodeId))].sort();
  return {
    code: 'network_verdict',
    points: VERDICT_POINTS[worst.kind],
    strong: worst.kind === 'blocked',
    numbers: { network: worst.network, verdict: worst.kind, nodes: nodes.length },
    nodeIds: nodes,
  };
}

/** Members' reports, each reporter counted once and weighted by their record. */
export function reportsSignal(
  reporters: Array<{ userId: string; weight: number }>,
  rules: SignalRules,
): Signal | null {
  if (reporters.length === 0) return null;
  const weight = round1(reporters.reduce((s, r) => s + r.weight, 0));
  return {
    code: 'reports',
    points: round1(weight * rules.reportPoints),
    strong: false,
    numbers: { reporters: reporters.length, weight, per: rules.reportPoints },
  };
}

export function scoreOf(signals: Signal[]): number {
  return round1(signals.reduce((s, x) => s + x.points, 0));
}

/** Reputation weight from past outcomes: Laplace-smoothed share of confirmed reports, 0.2–2. */
export function reputationWeight(confirmed: number, dismissed: number): number {
  const share = (confirmed + 1) / (confirmed + dismissed + 2);
  return Math.max(0.2, Math.min(2, round1(2 * share)));
}
