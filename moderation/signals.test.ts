import { findGpuSpec } from './gpu-specs';
import { brigadeCheck, DEFAULT_ABUSE_RULES, accountCreatedAt } from './abuse';
import { parseCaseRef, parseReason } from './model';
import {
  benchmarkLow,
  DEFAULT_SIGNAL_RULES as R,
  fingerprintBurst,
  ipGpuDensity,
  networkVerdict,
  reportsSignal,
  reputationWeight,
  scoreOf,
  sharedGpuUuid,
  uptimePattern,
} from './signals';
import { buttonId } from './card';

describe('signals', () => {
  it('one GPU UUID on 5 nodes: strong, with the UUID, the count and every node', () => {
    const nodes = ['n5', 'n1', 'n2', 'n3', 'n4'];
    const s = sharedGpuUuid([{ uuid: 'GPU-abc', nodeIds: nodes }])!;
    expect(s).toMatchObject({ code: 'shared_gpu_uuid', points: 60, strong: true });
    expect(s.numbers).toEqual({ uuid: 'GPU-abc', nodes: 5, more: 0 });
    expect(s.nodeIds).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(sharedGpuUuid([{ uuid: 'GPU-abc', nodeIds: ['a', 'b'] }])).toMatchObject({
      points: 20,
      strong: false,
    });
    expect(sharedGpuUuid([{ uuid: 'x', nodeIds: ['a'] }])).toBeNull();
  });

  it('GPUs behind one ip_hash: over the plausible maximum (never strong alone: NAT)', () => {
    expect(ipGpuDensity([{ ipHash: 'h'.repeat(64), gpus: 16, nodeIds: ['a', 'b'] }], R)).toBeNull();
    const s = ipGpuDensity(
      [{ ipHash: 'abcdef0123456789', gpus: 48, nodeIds: ['a', 'b', 'c', 'd', 'e', 'f'] }],
      R,
    )!;
    expect(s).toMatchObject({ points: 30, strong: false });
    expect(s.numbers).toEqual({ ip: 'abcdef012345', gpus: 48, nodes: 6, max: 16 });
  });

  it('benchmark far below the model, from the table with its source', () => {
    expect(findGpuSpec('RTX 4090')?.fp32).toBe(82.6);
    expect(findGpuSpec('h100 80gb hbm3')?.name).toBe('NVIDIA H100 80GB HBM3');
    const rows = [
      { nodeId: 'a', gpuModel: 'NVIDIA H100 80GB HBM3', benchmarkTflops: 9.5 },
      { nodeId: 'b', gpuModel: 'NVIDIA H100 80GB HBM3', benchmarkTflops: 60 },
    ];
    const s = benchmarkLow(rows, R)!;
    expect(s.numbers).toMatchObject({
      expected: 67,
      measured: 9.5,
      percent: 14,
      nodes: 1,
      source: 'NVIDIA data sheet',
    });
    expect(s.points).toBe(30);
    expect(benchmarkLow([{ nodeId: 'b', gpuModel: 'Tesla T4', benchmarkTflops: 7.2 }], R)).toBeNull();
    expect(benchmarkLow([{ nodeId: 'b', gpuModel: 'Unknown card', benchmarkTflops: 1 }], R)).toBeNull();
  });

  it('bursts, uptime pattern, verdicts and reports each carry their numbers; the score is their sum', () => {
    const burst = fingerprintBurst(
      { fingerprint: 'RTX 4090 ×1', nodeIds: ['a', 'b', 'c', 'd', 'e', 'f'], spanMinutes: 3.2 },
      R,
    )!;
    expect(burst).toMatchObject({ points: 16, numbers: { nodes: 6, minutes: 3 } });
    expect(fingerprintBurst({ fingerprint: 'x', nodeIds: ['a', 'b'], spanMinutes: 1 }, R)).toBeNull();
    const up = uptimePattern({ coDrops: 3, nodes: 4, days: 7 })!;
    expect(up).toMatchObject({ points: 12, numbers: { drops: 3, nodes: 4, days: 7 } });
    expect(uptimePattern({ coDrops: 1, nodes: 4, days: 7 })).toBeNull();
    const v = networkVerdict([
      { nodeId: 'a', network: 'ionet', kind: 'pow_failed' },
      { nodeId: 'b', network: 'ionet', kind: 'blocked' },
    ])!;
    expect(v).toMatchObject({
      points: 50,
      strong: true,
      numbers: { network: 'ionet', verdict: 'blocked', nodes: 1 },
    });
    const r = reportsSignal(
      [
        { userId: 'u1', weight: 1 },
        { userId: 'u2', weight: 0.5 },
        { userId: 'u3', weight: 1 },
      ],
      R,
    )!;
    expect(r).toMatchObject({ points: 25, numbers: { reporters: 3, weight: 2.5, per: 10 } });
    expect(scoreOf([burst, up, v, r])).toBe(16 + 12 + 50 + 25);
  });

  it('reputation: new reporters weigh 1, a good record up to 2, a bad one down to 0.2', () => {
    expect(reputationWeight(0, 0)).toBe(1);
    expect(reputationWeight(8, 0)).toBe(1.8);
    expect(reputationWeight(0, 9)).toBe(0.2);
  });

  it('brigading: five or more young reporters, or accounts created close together, in the window', () => {
    const now = Date.now();
    const mk = (i: number, young: boolean, createdHoursAgo: number) => ({
      reporterUserId: `u${i}`,
      youngAccount: young,
      accountCreatedAt: new Date(now - createdHoursAgo * 3_600_000),
      createdAt: new Date(now - i * 1000),
    });
    expect(
      brigadeCheck(
        [1, 2, 3, 4].map((i) => mk(i, true, 1)),
        DEFAULT_ABUSE_RULES,
      ),
    ).toBeNull();
    expect(
      brigadeCheck(
        [1, 2, 3, 4, 5].map((i) => mk(i, true, 1)),
        DEFAULT_ABUSE_RULES,
      ),
    ).toMatchObject({ young: 5, reports: 5 });
    const old = [1, 2, 3, 4, 5].map((i) => mk(i, false, 24 * 400 + i * 0.1));
    expect(brigadeCheck(old, DEFAULT_ABUSE_RULES)).toMatchObject({ young: 0, closeTogether: 5 });
    const spread = [1, 2, 3, 4, 5].map((i) => mk(i, false, 24 * 100 * i));
    expect(brigadeCheck(spread, DEFAULT_ABUSE_RULES)).toBeNull();
  });

  it('Discord ids carry the account creation time', () => {
    // 175928847299117063 is Discord's documented example: 2016-04-30 11:18:25.796 UTC.
    expect(accountCreatedAt('DISCORD', '175928847299117063', new Date()).toISOString()).toBe(
      '2016-04-30T11:18:25.796Z',
    );
    const seen = new Date('2026-01-01T00:00:00Z');
    expect(accountCreatedAt('TELEGRAM', '12345', seen)).toBe(seen);
  });

  it('parses references and reasons, and keeps button ids within 64 bytes', () => {
    expect(parseCaseRef('#C12')).toBe(12);
    expect(parseCaseRef('c7')).toBe(7);
    expect(parseCaseRef('x')).toBeNull();
    expect(parseReason('virtualized')).toBe('VIRTUALIZED_GPU');
    expect(parseReason('sybil')).toBe('SYBIL_FARM');
    expect(parseReason('banana')).toBeNull();
    expect(Buffer.byteLength(buttonId('escalate', 999_999_999))).toBeLessThanOrEqual(64);
  });
});
