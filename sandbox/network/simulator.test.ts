import {
  benchmarkRatio,
  createFleetSimulator,
  findGpuModel,
  generateFleet,
  startNetworkSandbox,
  type StatusChange,
} from './index';

const T0 = Date.UTC(2030, 0, 1);
const STEP = 30_000;

function run(seed: number, steps: number) {
  const fleet = generateFleet({ count: 500, ownerCount: 40, seed: 11, now: new Date(T0) });
  const sim = createFleetSimulator({
    nodes: fleet.nodes,
    seed,
    churn: 0.02,
    flapping: { count: 5, everySteps: 2 },
  });
  const history: StatusChange[][] = [];
  for (let s = 1; s <= steps; s++) history.push(sim.step(T0 + s * STEP));
  return history;
}

describe('generateFleet', () => {
  it('is deterministic by seed and spreads nodes over all owners', () => {
    const opts = { count: 300, ownerCount: 30, seed: 'abc', now: new Date(T0) };
    const a = generateFleet(opts);
    expect(generateFleet(opts)).toEqual(a);
    expect(generateFleet({ ...opts, seed: 'abd' }).nodes[0]!.id).not.toBe(a.nodes[0]!.id);
    expect(new Set(a.nodes.map((n) => n.owner_wallet)).size).toBe(30);
    expect(new Set(a.nodes.map((n) => n.id)).size).toBe(300);
    for (const n of a.nodes) {
      expect(n.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(n.owner_wallet).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/); // Solana base58
      // Honest nodes benchmark close to their model's figure.
      expect(benchmarkRatio(n.gpu_model, n.benchmark_tflops)).toBeGreaterThan(0.8);
    }
  });

  it('uses the given owners and GPU models', () => {
    const fleet = generateFleet({ count: 20, owners: ['W1', 'W2'], gpuModels: ['4090', 'T4'], seed: 3 });
    expect(new Set(fleet.nodes.map((n) => n.owner_wallet))).toEqual(new Set(['W1', 'W2']));
    expect(new Set(fleet.nodes.map((n) => n.gpu_model))).toEqual(
      new Set(['NVIDIA GeForce RTX 4090', 'Tesla T4']),
    );
  });

  it('plants fake-card clusters with the requested signals', () => {
    const fleet = generateFleet({ count: 400, seed: 5, fakeCards: { clusters: 3, size: 8 } });
    expect(fleet.fakeClusters.map((c) => c.signals)).toEqual([
      ['shared_gpu_uuid'],
      ['shared_ip'],
      ['underperforming'],
    ]);
    const byId = new Map(fleet.nodes.map((n) => [n.id, n]));
    const [dupe, rack, slow] = fleet.fakeClusters.map((c) => c.nodeIds.map((id) => byId.get(id)!));

    // The same GPU UUID on every node of the cluster, and nowhere else.
    const shared = fleet.fakeClusters[0]!.sharedGpuUuid!;
    expect(dupe!.every((n) => n.gpu_uuids.includes(shared))).toBe(true);
    expect(fleet.nodes.filter((n) => n.gpu_uuids.includes(shared))).toHaveLength(8);

    // 64 top-end GPUs behind one IP hash.
    const ip = fleet.fakeClusters[1]!.sharedIpHash!;
    expect(rack!.every((n) => n.ip_hash === ip)).toBe(true);
    expect(
      fleet.nodes.filter((n) => n.ip_hash === ip).reduce((s, n) => s + n.gpu_count, 0),
    ).toBeGreaterThanOrEqual(64);

    // Claims an H100, benchmarks at a fraction of it.
    const h100 = findGpuModel('H100 80GB HBM3')!;
    for (const n of slow!) {
      expect(n.gpu_model).toBe(h100.name);
      expect(n.benchmark_tflops).toBeLessThan(h100.fp32 * 0.25);
    }

    const combined = generateFleet({
      count: 50,
      seed: 5,
      fakeCards: { clusters: 1, size: 5, combined: true },
    });
    expect(combined.fakeClusters[0]).toMatchObject({
      signals: ['shared_gpu_uuid', 'shared_ip', 'underperforming'],
      sharedGpuUuid: expect.any(String),
      sharedIpHash: expect.any(String),
      claimedModel: h100.name,
    });
  });

  it('has no fake clusters unless asked', () => {
    expect(generateFleet({ count: 10, seed: 1 }).fakeClusters).toEqual([]);
  });
});

describe('FleetSimulator', () => {
  it('produces the same history for the same seed, a different one for another', () => {
    const a = run(42, 20);
    expect(run(42, 20)).toEqual(a);
    expect(run(43, 20)).not.toEqual(a);
    expect(a.flat().length).toBeGreaterThan(50);
  });

  it('churns about the requested fraction per step and brings churned nodes back', () => {
    const fleet = generateFleet({ count: 2000, ownerCount: 200, seed: 1 });
    const sim = createFleetSimulator({ nodes: fleet.nodes, seed: 9, churn: 0.01, downtimeSteps: [2, 2] });
    const first = sim.step(T0);
    expect(first.every((c) => c.cause === 'churn' && c.to === 'offline')).toBe(true);
    expect(first.length).toBeGreaterThanOrEqual(19);
    expect(first.length).toBeLessThanOrEqual(21);
    sim.step(T0 + STEP);
    const third = sim.step(T0 + 2 * STEP);
    const recovered = third.filter((c) => c.cause === 'recovery').map((c) => c.id);
    expect(recovered.sort()).toEqual(first.map((c) => c.id).sort());
  });

  it('toggles flapping nodes every k steps', () => {
    const fleet = generateFleet({ count: 100, seed: 2 });
    const sim = createFleetSimulator({ nodes: fleet.nodes, seed: 1, flapping: { count: 4, everySteps: 3 } });
    const causes = [1, 2, 3, 4, 5, 6].map((s) => sim.step(T0 + s * STEP));
    expect(causes.map((c) => c.length)).toEqual([0, 0, 4, 0, 0, 4]);
    expect(causes[2]!.map((c) => c.id).sort()).toEqual([...sim.flappingIds].sort());
    expect(causes[2]!.every((c) => c.to === 'offline')).toBe(true);
    expect(causes[5]!.every((c) => c.to === 'online')).toBe(true);
  });

  it('drops the requested fraction at once in a mass outage and recovers it later', () => {
    const fleet = generateFleet({ count: 1000, ownerCount: 100, seed: 4 });
    const sim = createFleetSimulator({
      nodes: fleet.nodes,
      seed: 8,
      outages: [{ atStep: 2, fraction: 0.3, recoverAfterSteps: 3 }],
    });
    expect(sim.step(T0)).toEqual([]);
    const outage = sim.step(T0 + STEP);
    expect(outage).toHaveLength(300);
    expect(new Set(outage.map((c) => c.cause))).toEqual(new Set(['outage']));
    expect(sim.offline()).toHaveLength(300);
    expect(new Set(outage.map((c) => c.owner_wallet)).size).toBeGreaterThan(50);
    expect(sim.step(T0 + 2 * STEP)).toEqual([]);
    expect(sim.step(T0 + 3 * STEP)).toEqual([]);
    const back = sim.step(T0 + 4 * STEP);
    expect(back).toHaveLength(300);
    expect(back.every((c) => c.cause === 'outage_recovery' && c.to === 'online')).toBe(true);
    expect(sim.alive()).toHaveLength(1000);

    // On demand, limited to one operator's nodes, recovered by hand.
    const owner = fleet.owners[0]!;
    const owned = fleet.nodes.filter((n) => n.owner_wallet === owner).length;
    sim.massOutage(1, { owners: [owner] });
    const dark = sim.step(T0 + 5 * STEP);
    expect(dark).toHaveLength(owned);
    expect(dark.every((c) => c.owner_wallet === owner)).toBe(true);
    sim.recoverOutages();
    expect(sim.step(T0 + 6 * STEP)).toHaveLength(owned);
  });

  it('emits heartbeats for alive nodes only, with their GPUs', () => {
    const fleet = generateFleet({ count: 50, seed: 6 });
    const sim = createFleetSimulator({ nodes: fleet.nodes, seed: 6 });
    sim.massOutage(0.2);
    sim.step(T0);
    const beats = sim.heartbeats();
    expect(beats).toHaveLength(40);
    expect(beats.map((b) => b.node_id)).toEqual(sim.alive());
    const node = fleet.nodes.find((n) => n.id === beats[0]!.node_id)!;
    expect(beats[0]).toEqual({
      node_id: node.id,
      status: 'online',
      gpus: node.gpu_uuids.map((uuid) => ({ model: node.gpu_model, uuid })),
    });
  });

  it('drives the network emulator: statuses and last_seen follow the simulation', async () => {
    const net = await startNetworkSandbox();
    try {
      const fleet = net.generateFleet({ count: 200, seed: 12, now: new Date(T0) });
      const sim = createFleetSimulator({ nodes: fleet.nodes, seed: 3, churn: 0.05, downtimeSteps: [3, 3] });
      sim.applyTo(net, sim.step(T0 + STEP));
      const changes = sim.step(T0 + 2 * STEP);
      sim.applyTo(net, changes);

      const res = await fetch(`${net.baseUrl}/nodes?limit=1000`);
      const served = (
        (await res.json()) as { nodes: Array<{ id: string; status: string; last_seen: string }> }
      ).nodes;
      for (const node of served) {
        expect(node.status).toBe(sim.status(node.id));
        const lastSeen = sim.lastSeenMs(node.id);
        if (lastSeen !== undefined) expect(node.last_seen).toBe(new Date(lastSeen).toISOString());
      }
      const wentDown = changes.find((c) => c.to === 'offline')!;
      expect(net.node(wentDown.id)).toMatchObject({
        status: 'offline',
        last_seen: new Date(T0 + STEP).toISOString(),
      });
    } finally {
      await net.stop();
    }
  });

  it('steps 20,000 nodes across 2,000 owners quickly', () => {
    const fleet = generateFleet({ count: 20_000, ownerCount: 2_000, seed: 1, fakeCards: { clusters: 10 } });
    const sim = createFleetSimulator({
      nodes: fleet.nodes,
      seed: 1,
      churn: 0.005,
      flapping: { count: 50, everySteps: 2 },
    });
    const started = performance.now();
    for (let s = 1; s <= 20; s++) sim.step(T0 + s * STEP);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(new Set(fleet.nodes.map((n) => n.owner_wallet)).size).toBe(2_000);
  });
});
