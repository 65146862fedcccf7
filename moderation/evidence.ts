// The evidence job: for a case, gather every named signal from what the sources keep
// (heartbeat GPU inventories, network API fields, liveness history, network verdicts),
// pull the evidence cluster into the case (folding other open cases about it in), and store
// the signals and their sum as the score. For fresh source data, scan for strong signals
// and open a "detected" case by itself.
import type { PrismaClient } from '@prisma/client';
import type pg from 'pg';
import type { EvidenceStore } from './evidence-store';
import { addEvent, lockNodes, OPEN_STATES, type Tx } from './model';
import {
  benchmarkLow,
  fingerprintBurst,
  ipGpuDensity,
  networkVerdict,
  reportsSignal,
  scoreOf,
  sharedGpuUuid,
  uptimePattern,
  type NetworkVerdict,
  type Signal,
  type SignalRules,
} from './signals';

/** A network's own verdicts about nodes (io.net `blocked`, failed proof-of-work, …). */
export interface VerdictSource {
  verdicts(nodeIds: string[]): Promise<NetworkVerdict[]>;
}

export interface EvidenceDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  store: EvidenceStore;
  rules: SignalRules;
  verdicts?: VerdictSource;
  changed(caseId: string, what: 'evidence' | 'card'): Promise<void>;
  /** A cluster bigger than this is cut (the card names every node; moderators can ask for more). */
  maxClusterNodes?: number;
}

const OPEN = OPEN_STATES as string[];

export class EvidenceEngine {
  private readonly maxNodes: number;

  constructor(private readonly deps: EvidenceDeps) {
    this.maxNodes = deps.maxClusterNodes ?? 50;
  }

  /** Every signal for these nodes (and the case's reporters). */
  async signalsFor(nodeIds: string[], caseId?: string): Promise<Signal[]> {
    const { store, rules } = this.deps;
    const rows = await store.rows(nodeIds);
    const uuids = [...new Set(rows.flatMap((r) => r.gpuUuids))];
    const ips = [...new Set(rows.flatMap((r) => (r.ipHash ? [r.ipHash] : [])))];
    const fingerprints = [
      ...new Map(rows.filter((r) => r.fingerprint).map((r) => [r.fingerprint!, r])).values(),
    ];
    const bursts = await Promise.all(
      fingerprints
        .slice(0, 3)
        .map((r) => store.burst(r.fingerprint!, r.firstSeenAt, rules.burstWindowMinutes, this.maxNodes)),
    );
    const burst = bursts.filter((b) => b).sort((a, b) => b!.nodeIds.length - a!.nodeIds.length)[0] ?? null;
    const reporters = caseId ? await this.reporters(caseId) : [];
    const signals = [
      sharedGpuUuid(await store.sharedUuids(uuids, this.maxNodes)),
      ipGpuDensity(await store.ipClusters(ips, this.maxNodes), rules),
      benchmarkLow(rows, rules),
      fingerprintBurst(burst, rules),
      uptimePattern(await store.coDrops(nodeIds, 7)),
      networkVerdict(this.deps.verdicts ? await this.deps.verdicts.verdicts(nodeIds) : []),
      reportsSignal(reporters, rules),
    ];
    return signals.filter((s): s is Signal => s !== null);
  }

  /** One person counts once per case, with their best-weighted counted report. */
  private async reporters(caseId: string) {
    const reports = await this.deps.prisma.caseReport.findMany({
      where: { caseId, counted: true },
      select: { reporterUserId: true, weight: true },
    });
    const best = new Map<string, number>();
    for (const r of reports) best.set(r.reporterUserId, Math.max(best.get(r.reporterUserId) ?? 0, r.weight));
    return [...best].map(([userId, weight]) => ({ userId, weight }));
  }

  /** The evidence job for one case. */
  async gather(caseId: string): Promise<void> {
    const { prisma } = this.deps;
    let signals: Signal[] = [];
    let c = null;
    // The cluster can grow as nodes come in (a UUID shared with a node that shares another).
    for (let round = 0; ; round++) {
      c = await prisma.moderationCase.findUnique({
        where: { id: caseId },
        include: { nodes: { select: { nodeId: true } } },
      });
      if (!c || !OPEN_STATES.includes(c.state)) return;
      const nodeIds = c.nodes.map((n) => n.nodeId);
      signals = await this.signalsFor(nodeIds, caseId);
      const cluster = this.clusterOf(signals, nodeIds);
      if (cluster.length === nodeIds.length || round === 2) break;
      const { into, merged } = await this.pullIn(caseId, cluster, signals);
      for (const id of merged) if (id !== into) await this.deps.changed(id, 'card');
      // Folded into an older case about the same cluster: that one is gathered instead.
      if (into !== caseId) return this.deps.changed(into, 'evidence');
    }
    const score = scoreOf(signals);
    const same = JSON.stringify(c.signals) === JSON.stringify(signals) && c.score === score;
    await prisma.moderationCase.update({
      where: { id: caseId },
      data: same
        ? { evidenceAt: new Date() }
        : { signals: signals as object[], score, evidenceAt: new Date(), version: { increment: 1 } },
    });
    await this.deps.changed(caseId, 'card');
  }

  /**
   * Nodes tied to the case by a shared GPU UUID (the same physical card). An address alone
   * does not tie nodes together: a large operator's machines share a NAT.
   */
  private clusterOf(signals: Signal[], nodeIds: string[]): string[] {
    const out = new Set(nodeIds);
    for (const s of signals) {
      if (s.code !== 'shared_gpu_uuid') continue;
      for (const id of s.nodeIds ?? []) if (out.size < this.maxNodes) out.add(id);
    }
    return [...out];
  }

  /**
   * Adds the cluster's nodes to the case; other open cases about any of them are merged
   * into the oldest one. Returns the case that holds the cluster now.
   */
  private async pullIn(
    caseId: string,
    cluster: string[],
    signals: Signal[],
  ): Promise<{ into: string; merged: string[] }> {
    const via = (id: string) => signals.find((s) => s.nodeIds?.includes(id))?.code ?? 'evidence';
    return this.deps.prisma.$transaction(async (tx) => {
      await lockNodes(tx, cluster);
      const others = await tx.caseNode.findMany({
        where: { nodeId: { in: cluster }, case: { state: { in: OPEN_STATES } } },
        select: { caseId: true },
        distinct: ['caseId'],
      });
      const ids = [...new Set([caseId, ...others.map((o) => o.caseId)])];
      const cases = await tx.$queryRaw<Array<{ id: string; number: number }>>`
        SELECT id, number FROM moderation_cases
         WHERE id = ANY(${ids}::uuid[]) AND state::text = ANY(${OPEN}::text[])
         ORDER BY id FOR UPDATE`;
      if (cases.length === 0) return { into: caseId, merged: [] };
      const target = [...cases].sort((a, b) => a.number - b.number)[0]!;
      for (const other of cases)
        if (other.id !== target.id) await mergeCase(tx, other.id, target.id, target.number);
      const existing = new Set(
        (await tx.caseNode.findMany({ where: { caseId: target.id }, select: { nodeId: true } })).map(
          (n) => n.nodeId,
        ),
      );
      const added = cluster.filter((id) => !existing.has(id));
      if (added.length) {
        await tx.caseNode.createMany({
          data: added.map((nodeId) => ({ caseId: target.id, nodeId, via: via(nodeId) })),
          skipDuplicates: true,
        });
        await addEvent(tx, target.id, 'nodes_added', null, { nodes: added.length, via: via(added[0]!) });
      }
      await tx.moderationCase.update({ where: { id: target.id }, data: { version: { increment: 1 } } });
      return { into: target.id, merged: cases.map((x) => x.id).filter((id) => id !== target.id) };
    });
  }

  /**
   * Fresh source data for these nodes: a strong signal (one GPU UUID on 3+ nodes, a
   * network's `blocked`) opens a detected case, or grows the open one; open cases about
   * any of the nodes gather their evidence again.
   */
  async scan(nodeIds: string[]): Promise<string[]> {
    const { store } = this.deps;
    if (nodeIds.length === 0) return [];
    const rows = await store.rows(nodeIds);
    const clusters: Array<{ key: string; code: Signal['code']; nodeIds: string[] }> = [];
    const uuids = [...new Set(rows.flatMap((r) => r.gpuUuids))];
    for (const s of await store.sharedUuids(uuids, this.maxNodes)) {
      const sig = sharedGpuUuid([s]);
      if (sig?.strong) clusters.push({ key: `gpu:${s.uuid}`, code: sig.code, nodeIds: sig.nodeIds! });
    }
    for (const v of this.deps.verdicts ? await this.deps.verdicts.verdicts(nodeIds) : []) {
      if (v.kind === 'blocked')
        clusters.push({ key: `verdict:${v.nodeId}`, code: 'network_verdict', nodeIds: [v.nodeId] });
    }
    const touched = new Set<string>();
    for (const cl of clusters) {
      const id = await this.openDetected(cl.key, cl.code, cl.nodeIds);
      if (id) touched.add(id);
    }
    // New facts or verdicts about nodes already in an open case: that case's evidence is re-gathered.
    const open = await this.deps.prisma.caseNode.findMany({
      where: { nodeId: { in: nodeIds }, case: { state: { in: OPEN_STATES } } },
      select: { caseId: true },
      distinct: ['caseId'],
    });
    for (const o of open) touched.add(o.caseId);
    for (const id of touched) await this.deps.changed(id, 'evidence');
    return [...touched];
  }

  private async openDetected(key: string, code: string, nodeIds: string[]): Promise<string | null> {
    return this.deps.prisma.$transaction(async (tx) => {
      await lockNodes(tx, nodeIds);
      const open = await tx.caseNode.findFirst({
        where: { nodeId: { in: nodeIds }, case: { state: { in: OPEN_STATES } } },
        orderBy: { case: { number: 'asc' } },
        select: { caseId: true },
      });
      if (open) {
        const have = await tx.caseNode.count({ where: { caseId: open.caseId, nodeId: { in: nodeIds } } });
        // The evidence job pulls in the rest of the cluster; nothing to do when all are in.
        return have < nodeIds.length ? open.caseId : null;
      }
      // Decided already (confirmed or dismissed) for this cluster at this size: not again.
      const decided = await tx.moderationCase.findFirst({
        where: { clusterKey: key, state: { in: ['CONFIRMED', 'DISMISSED'] } },
        orderBy: { number: 'desc' },
        include: { _count: { select: { nodes: true } } },
      });
      if (decided && decided._count.nodes >= nodeIds.length) return null;
      const c = await tx.moderationCase.create({
        data: { origin: 'DETECTED', clusterKey: key },
        select: { id: true },
      });
      await tx.caseNode.createMany({ data: nodeIds.map((nodeId) => ({ caseId: c.id, nodeId, via: code })) });
      await addEvent(tx, c.id, 'detected', null, { signal: code, nodes: nodeIds.length });
      return c.id;
    });
  }
}

/** Folds `fromId` into `intoId`: reports, nodes and pending questions move; history stays. */
export async function mergeCase(tx: Tx, fromId: string, intoId: string, intoNumber: number): Promise<void> {
  const from = await tx.moderationCase.findUniqueOrThrow({ where: { id: fromId }, select: { number: true } });
  await tx.$executeRaw`
    INSERT INTO moderation_case_nodes (case_id, node_id, via, added_at)
    SELECT ${intoId}::uuid, node_id, via, added_at FROM moderation_case_nodes WHERE case_id = ${fromId}::uuid
    ON CONFLICT DO NOTHING`;
  // A person who reported a node in both cases still counts once for it.
  await tx.$executeRaw`
    UPDATE moderation_reports r SET case_id = ${intoId}::uuid,
           counted = r.counted AND NOT EXISTS (
             SELECT 1 FROM moderation_reports o
              WHERE o.case_id = ${intoId}::uuid AND o.reporter_user_id = r.reporter_user_id
                AND o.node_id = r.node_id AND o.counted)
     WHERE r.case_id = ${fromId}::uuid`;
  await tx.caseInfoRequest.updateMany({ where: { caseId: fromId }, data: { caseId: intoId } });
  await tx.moderationCase.update({
    where: { id: fromId },
    data: { state: 'MERGED', mergedIntoId: intoId, version: { increment: 1 } },
  });
  await addEvent(tx, fromId, 'merged_into', null, { case: intoNumber });
  await addEvent(tx, intoId, 'merged_in', null, { case: from.number });
}
