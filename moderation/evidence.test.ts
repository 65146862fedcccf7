// The evidence job on real PostgreSQL/Redis/BullMQ, fed through the real poll source's page hook
// from the network emulator, whose generated fleet has planted fake-card clusters.
import { PollSource } from '../notifier/sources/poller';
import { startNetworkSandbox, type NetworkSandbox } from '../sandbox/network';
import { waitFor } from '../test/support/wait';
import { networkFacts } from './evidence-store';
import type { NetworkVerdict } from './signals';
import { moderationHarness, type ModerationHarness } from './testing';

describe('evidence', () => {
  let h: ModerationHarness;
  let net: NetworkSandbox;
  const verdicts: NetworkVerdict[] = [];
  let fleet: ReturnType<NetworkSandbox['generateFleet']>;
  let cloned: (typeof fleet.fakeClusters)[number] | undefined;
  let rack: typeof cloned;
  let slow: typeof cloned;

  beforeAll(async () => {
    h = await moderationHarness({
      verdicts: { verdicts: async (ids) => verdicts.filter((v) => ids.includes(v.nodeId)) },
    });
    net = await startNetworkSandbox();
    fleet = net.generateFleet({
      count: 400,
      seed: 13,
      fakeCards: { clusters: 3, size: 5, signals: ['shared_gpu_uuid', 'shared_ip', 'underperforming'] },
    });
    [cloned, rack, slow] = fleet.fakeClusters;
    let pages = 0;
    let seen = 0;
    const source = new PollSource({
      baseUrl: net.baseUrl,
      pool: h.tdb.db.pool,
      pageSize: 100,
      // The hook the engine wires in the workers role.
      onNodes: async (nodes) => {
        pages++;
        seen += nodes.length;
        await h.moderation.ingest(nodes.map((n) => networkFacts(n)));
      },
    });
    const res = await source.round(Date.now());
    expect(res.ok).toBe(true);
    expect({ pages, seen }).toEqual({ pages: 4, seen: 400 });
  });
  afterAll(async () => {
    await h.close();
    await net.stop();
  });

  const caseOf = (nodeId: string) =>
    h.tdb.db.prisma.caseNode.findFirst({
      where: { nodeId, case: { state: { not: 'MERGED' } } },
      include: { case: true },
    });

  it('one cloned GPU UUID on 5 nodes opens a "detected" case naming the signal and the 5 node ids', async () => {
    const hit = await waitFor(() => caseOf(cloned!.nodeIds[0]!), {
      timeoutMs: 25_000,
      what: 'detected case',
    });
    expect(hit.case.origin).toBe('DETECTED');
    // Pages arrive one after another: the case opens with the first ones, later ones join it.
    const nodes = await waitFor(
      async () => {
        const rows = await h.tdb.db.prisma.caseNode.findMany({ where: { caseId: hit.caseId } });
        return rows.length === 5 && rows;
      },
      { timeoutMs: 25_000, what: 'all 5 nodes in the case' },
    );
    expect(nodes.map((n) => n.nodeId).sort()).toEqual([...cloned!.nodeIds].sort());
    expect(await h.tdb.db.prisma.caseNode.count({ where: { nodeId: { in: cloned!.nodeIds } } })).toBe(5);
    const card = await waitFor(
      () =>
        h.port
          .texts('TELEGRAM')
          .find((t) => t.includes(`#C${hit.case.number} · new · detected`) && t.includes('Score')),
      { timeoutMs: 25_000, what: 'detected card' },
    );
    expect(card).toContain(`Same GPU UUID ${cloned!.sharedGpuUuid} on 5 nodes`);
    for (const id of cloned!.nodeIds) expect(card).toContain(id);
    expect(card).toContain('Reports: 0');
  });

  it('a rack of 8-GPU nodes behind one address: scored with the GPU count and the maximum, not detected alone', async () => {
    expect(await caseOf(rack!.nodeIds[0]!)).toBeNull();
    const p = await h.person('rackwatcher');
    const res = await h.moderation.intake.report({
      reporter: p.reporter,
      nodeId: rack!.nodeIds[0]!,
      reason: 'SYBIL_FARM',
      text: '',
    });
    const number = res.ok ? res.caseNumber : 0;
    const card = await waitFor(
      () =>
        h.port.texts('TELEGRAM').find((t) => t.includes(`#C${number} `) && t.includes('behind one address')),
      { timeoutMs: 25_000, what: 'ip card' },
    );
    expect(card).toContain(
      `40 GPUs on 5 nodes behind one address (ip_hash ${rack!.sharedIpHash!.slice(0, 12)}…; one machine holds at most 16): +25`,
    );
  });

  it('a report on an underperforming node shows the benchmark against the table, with its source', async () => {
    expect(await caseOf(slow!.nodeIds[0]!)).toBeNull();
    const p = await h.person('benchwatcher');
    const res = await h.moderation.intake.report({
      reporter: p.reporter,
      nodeId: slow!.nodeIds[0]!,
      reason: 'WRONG_MODEL',
      text: '',
    });
    const number = res.ok ? res.caseNumber : 0;
    const node = fleet.nodes.find((n) => n.id === slow!.nodeIds[0])!;
    const card = await waitFor(
      () => h.port.texts('TELEGRAM').find((t) => t.includes(`#C${number} `) && t.includes('Benchmark')),
      { timeoutMs: 25_000, what: 'benchmark card' },
    );
    expect(card).toContain(
      `Benchmark ${node.benchmark_tflops} TFLOPS where NVIDIA H100 80GB HBM3 does 67 TFLOPS`,
    );
    expect(card).toContain('source: NVIDIA data sheet');
  });

  it('a report on a node of the cloned cluster joins the detected case instead of opening another', async () => {
    const detected = (await caseOf(cloned!.nodeIds[0]!))!;
    const p = await h.person('neighbour');
    const res = await h.moderation.intake.report({
      reporter: p.reporter,
      nodeId: cloned!.nodeIds[3]!,
      reason: 'DUPLICATED_CARD',
      text: 'same uuid',
    });
    expect(res).toMatchObject({ ok: true, caseNumber: detected.case.number, newCase: false });
    await waitFor(
      () =>
        h.port
          .texts('TELEGRAM')
          .find((t) => t.includes(`#C${detected.case.number} `) && t.includes('Reports: 1 ')),
      { timeoutMs: 25_000, what: 'detected card with the report' },
    );
  });

  it('two reported cases that turn out to share a GPU merge into the older one', async () => {
    const [x, y] = ['merge-node-aaaa', 'merge-node-bbbb'];
    const [p, q] = [await h.person('mx'), await h.person('my')];
    const a = await h.moderation.intake.report({
      reporter: p.reporter,
      nodeId: x,
      reason: 'OTHER',
      text: '',
    });
    const b = await h.moderation.intake.report({
      reporter: q.reporter,
      nodeId: y,
      reason: 'OTHER',
      text: '',
    });
    expect(a.ok && b.ok && a.caseNumber !== b.caseNumber).toBe(true);
    // Heartbeats arrive later: both nodes report the same card.
    const ids = await h.tdb.db.prisma.node.createManyAndReturn({
      data: [{ externalId: x }, { externalId: y }],
    });
    const gpus = [{ model: 'NVIDIA GeForce RTX 4090', uuid: 'GPU-merge-0000-1111' }];
    await h.moderation.noteHeartbeatGpus(ids.map((n) => ({ nodeId: n.id, gpus })));
    await h.moderation.changed(b.ok ? b.caseId : '', 'evidence');
    const older = a.ok ? a.caseNumber : 0;
    const newer = b.ok ? b.caseNumber : 0;
    await waitFor(
      () =>
        h.port
          .texts('TELEGRAM')
          .find((t) => t.includes(`#C${newer} · merged`) && t.includes(`Merged into #C${older}`)),
      { timeoutMs: 25_000, what: 'merged card' },
    );
    const card = await waitFor(
      () =>
        h.port
          .texts('TELEGRAM')
          .find(
            (t) =>
              t.includes(`#C${older} `) && t.includes('Reports: 2 ') && t.includes('GPU-merge-0000-1111'),
          ),
      { timeoutMs: 25_000, what: 'merged-into card' },
    );
    expect(card).toContain(x);
    expect(card).toContain(y);
  });

  it("a network's own verdict (io.net blocked) opens a detected case by itself", async () => {
    const victim = fleet.nodes.find((n) => ![cloned, rack, slow].some((c) => c!.nodeIds.includes(n.id)))!;
    verdicts.push({ nodeId: victim.id, network: 'ionet', kind: 'blocked' });
    await h.hub.add('moderation-evidence', { kind: 'scan', nodeIds: [victim.id] });
    const hit = await waitFor(() => caseOf(victim.id), { timeoutMs: 25_000, what: 'verdict case' });
    expect(hit.case.origin).toBe('DETECTED');
    await waitFor(
      () =>
        h.port
          .texts('TELEGRAM')
          .find((t) => t.includes(`#C${hit.case.number} `) && t.includes('ionet says: blocked')),
      { timeoutMs: 25_000, what: 'verdict card' },
    );
  });

  it('nodes that went offline together, and identical machines registered within minutes, are signals', async () => {
    const farm = Array.from({ length: 6 }, (_, i) => `farm-node-${String(i).padStart(4, '0')}`);
    await h.moderation.store.record(
      farm.map((nodeId) => ({
        nodeId,
        source: 'poll',
        gpuModel: 'NVIDIA GeForce RTX 4090',
        gpuCount: 1,
        gpuUuids: [`GPU-${nodeId}`],
        ipHash: 'f'.repeat(64),
      })),
      new Date(Date.now() + 10 * 60_000),
    );
    const rows = await h.tdb.db.prisma.node.createManyAndReturn({
      data: farm.map((externalId) => ({ externalId })),
    });
    // Three falls of 5 s each, every one straddling a minute boundary (3 s before, 2 s
    // after): each is one event, however the calendar minutes cut it.
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    for (const minutesAgo of [300, 200, 100])
      await h.tdb.db.prisma.nodeTransition.createMany({
        data: rows.map((r, i) => ({
          nodeId: r.id,
          from: 'ONLINE',
          to: 'OFFLINE',
          at: new Date(minute - minutesAgo * 60_000 - 3_000 + i * 1000),
          source: 'push',
        })),
      });
    const signals = await h.moderation.evidence.signalsFor(farm);
    expect(signals.find((s) => s.code === 'fingerprint_burst')?.numbers).toMatchObject({ nodes: 6 });
    expect(signals.find((s) => s.code === 'uptime_pattern')?.numbers).toEqual({
      drops: 3,
      nodes: 6,
      days: 7,
    });
  });
});
