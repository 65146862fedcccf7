// Reports in: checks (node id, bars, own node, rate limits) before anything is stored,
// then one transaction that finds the open case for the node or its evidence cluster (or
// opens one), keeps the report, counts one person once per node and flags brigading.
import type { PrismaClient, ReportReason } from '@prisma/client';
import {
  accountCreatedAt,
  brigadeCheck,
  type AbuseRules,
  type BrigadeFlag,
  type ReportQuota,
  type ReporterStandings,
} from './abuse';
import type { EvidenceStore } from './evidence-store';
import {
  addEvent,
  bumpVersion,
  caseRef,
  lockNodes,
  MAX_REPORT_TEXT,
  OPEN_STATES,
  type AttachmentMeta,
  type Reporter,
  type Tx,
} from './model';

export interface ReportInput {
  reporter: Reporter;
  nodeId: string;
  reason: ReportReason;
  text: string;
  attachments?: AttachmentMeta[];
}

export type ReportOutcome =
  | { ok: true; caseId: string; caseNumber: number; caseRef: string; newCase: boolean; repeat: boolean }
  | { ok: false; error: 'invalid_node' | 'own_node' | 'text_too_long' }
  | { ok: false; error: 'barred'; since: Date }
  | { ok: false; error: 'rate_limited'; limit: 'hour' | 'day'; retryAt: Date; max: number };

export interface IntakeDeps {
  prisma: PrismaClient;
  evidence: EvidenceStore;
  quota: ReportQuota;
  standings: ReporterStandings;
  rules: AbuseRules;
  validNodeId(id: string): boolean;
  /** After commit: gather evidence and refresh the card. */
  changed(caseId: string, what: 'evidence' | 'card'): Promise<void>;
}

export class ReportIntake {
  constructor(private readonly deps: IntakeDeps) {}

  async report(input: ReportInput): Promise<ReportOutcome> {
    const { prisma, rules } = this.deps;
    const nodeId = input.nodeId.trim();
    const text = input.text.trim();
    if (!nodeId || !this.deps.validNodeId(nodeId)) return { ok: false, error: 'invalid_node' };
    if (text.length > MAX_REPORT_TEXT) return { ok: false, error: 'text_too_long' };
    const standing = await this.deps.standings.get(input.reporter.userId);
    if (standing.barred) return { ok: false, error: 'barred', since: standing.barred.at };
    if (await this.ownsNode(input.reporter.userId, nodeId)) return { ok: false, error: 'own_node' };
    const quota = await this.deps.quota.take(input.reporter.userId);
    if (!quota.ok)
      return {
        ok: false,
        error: 'rate_limited',
        limit: quota.limit,
        retryAt: quota.retryAt,
        max: quota.limit === 'hour' ? rules.perHour : rules.perDay,
      };

    const identity = await prisma.identity.findUnique({
      where: { id: input.reporter.identityId },
      include: { user: { select: { createdAt: true } } },
    });
    const firstSeen = identity?.user.createdAt ?? identity?.createdAt ?? new Date();
    const created = accountCreatedAt(input.reporter.platform, input.reporter.platformUserId, firstSeen);
    const young = Date.now() - created.getTime() < rules.youngAccountHours * 3_600_000;
    const weight = Math.round(standing.weight * (young ? 0.5 : 1) * 100) / 100;
    const cluster = await this.clusterOf(nodeId);

    const res = await prisma.$transaction(async (tx) => {
      await lockNodes(tx, [nodeId]);
      let target = await this.openCaseFor(tx, [nodeId, ...cluster]);
      const newCase = !target;
      if (!target) {
        target = await tx.moderationCase.create({
          data: { origin: 'REPORTED' },
          select: { id: true, number: true },
        });
        await addEvent(tx, target.id, 'opened', { userId: input.reporter.userId, name: input.reporter.name });
      }
      await tx.caseNode.createMany({
        data: [{ caseId: target.id, nodeId, via: 'report' }],
        skipDuplicates: true,
      });
      const prior = await tx.caseReport.count({
        where: { caseId: target.id, reporterUserId: input.reporter.userId, nodeId },
      });
      await tx.caseReport.create({
        data: {
          caseId: target.id,
          reporterUserId: input.reporter.userId,
          reporterIdentityId: input.reporter.identityId,
          nodeId,
          reason: input.reason,
          text,
          attachments: (input.attachments ?? []).slice(0, 10).map((a) => ({ ...a })),
          weight,
          counted: prior === 0,
          youngAccount: young,
          accountCreatedAt: created,
        },
      });
      await addEvent(
        tx,
        target.id,
        'reported',
        { userId: input.reporter.userId, name: input.reporter.name },
        { nodeId, reason: input.reason, counted: prior === 0 },
      );
      await this.flagBrigading(tx, target.id);
      await bumpVersion(tx, target.id);
      return { ...target, newCase, repeat: prior > 0 };
    });
    await this.deps.changed(res.id, 'evidence');
    return {
      ok: true,
      caseId: res.id,
      caseNumber: res.number,
      caseRef: caseRef(res.number),
      newCase: res.newCase,
      repeat: res.repeat,
    };
  }

  /** A reporter cannot report a node they have linked, or one under a wallet they proved. */
  private async ownsNode(userId: string, nodeId: string): Promise<boolean> {
    const node = await this.deps.prisma.node.findUnique({
      where: { externalId: nodeId },
      select: { userId: true, ownerWallet: true },
    });
    if (!node) return false;
    if (node.userId === userId) return true;
    if (!node.ownerWallet) return false;
    const wallet = await this.deps.prisma.wallet.findFirst({
      where: { userId, address: { in: [node.ownerWallet, node.ownerWallet.toLowerCase()] } },
      select: { id: true },
    });
    return wallet !== null;
  }

  /** Nodes sharing a GPU UUID with this one: the same evidence cluster, hence the same case. */
  private async clusterOf(nodeId: string): Promise<string[]> {
    const rows = await this.deps.evidence.rows([nodeId]);
    const uuids = [...new Set(rows.flatMap((r) => r.gpuUuids))];
    const shared = await this.deps.evidence.sharedUuids(uuids, 50);
    return [...new Set(shared.flatMap((s) => s.nodeIds))].filter((id) => id !== nodeId);
  }

  private async openCaseFor(tx: Tx, nodeIds: string[]) {
    const hit = await tx.caseNode.findFirst({
      where: { nodeId: { in: nodeIds }, case: { state: { in: OPEN_STATES } } },
      orderBy: { case: { createdAt: 'asc' } },
      select: { caseId: true },
    });
    if (!hit) return null;
    // Row lock: a merge or decision running now finishes first; re-check it is still open.
    const rows = await tx.$queryRaw<Array<{ id: string; number: number; state: string }>>`
      SELECT id, number, state::text FROM moderation_cases WHERE id = ${hit.caseId}::uuid FOR UPDATE`;
    const row = rows[0];
    return row && (OPEN_STATES as string[]).includes(row.state) ? { id: row.id, number: row.number } : null;
  }

  private async flagBrigading(tx: Tx, caseId: string): Promise<void> {
    const { rules } = this.deps;
    const since = new Date(Date.now() - rules.brigadeWindowMinutes * 60_000);
    const recent = await tx.caseReport.findMany({
      where: { caseId, createdAt: { gte: since } },
      select: { reporterUserId: true, youngAccount: true, accountCreatedAt: true, createdAt: true },
    });
    const flag = brigadeCheck(recent, rules);
    if (!flag) return;
    const current = await tx.moderationCase.findUnique({
      where: { id: caseId },
      select: { brigading: true },
    });
    const before = current?.brigading as BrigadeFlag | null;
    if (before && before.reports >= flag.reports) return;
    await tx.moderationCase.update({
      where: { id: caseId },
      data: {
        brigading: {
          ...flag,
          flaggedAt: (before as { flaggedAt?: string } | null)?.flaggedAt ?? new Date().toISOString(),
        },
      },
    });
    if (!before) await addEvent(tx, caseId, 'brigading_flagged', null, { ...flag });
  }
}
