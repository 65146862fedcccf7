// The case queue: open cases, most suspicious first, with their named signals, their
// nodes and their reporters (with the reputation their reports carry).
import type { CaseState, PrismaClient, ReportReason } from '@prisma/client';
import { OPEN_STATES } from '../moderation/model';
import { reputationWeight, type Signal } from '../moderation/signals';

export interface CaseRow {
  number: number;
  state: CaseState;
  origin: string;
  score: number;
  signals: Signal[];
  nodeIds: string[];
  assigneeName: string | null;
  createdAt: Date;
  reporters: Array<{
    name: string;
    reason: ReportReason;
    text: string;
    weight: number;
    confirmed: number;
    dismissed: number;
    reputation: number;
  }>;
}

export async function openCases(prisma: PrismaClient, limit = 100): Promise<CaseRow[]> {
  const cases = await prisma.moderationCase.findMany({
    where: { state: { in: OPEN_STATES } },
    orderBy: [{ score: 'desc' }, { number: 'asc' }],
    take: limit,
    include: {
      nodes: { select: { nodeId: true } },
      reports: { orderBy: { createdAt: 'asc' }, take: 50 },
    },
  });
  const identityIds = [...new Set(cases.flatMap((c) => c.reports.map((r) => r.reporterIdentityId)))];
  const userIds = [...new Set(cases.flatMap((c) => c.reports.map((r) => r.reporterUserId)))];
  const [identities, standings] = await Promise.all([
    prisma.identity.findMany({ where: { id: { in: identityIds } } }),
    prisma.reporterStanding.findMany({ where: { userId: { in: userIds } } }),
  ]);
  const nameOf = new Map(
    identities.map((i) => [
      i.id,
      i.username ? `@${i.username}` : `${i.platform.toLowerCase()} ${i.platformUserId}`,
    ]),
  );
  const standingOf = new Map(standings.map((s) => [s.userId, s]));
  return cases.map((c) => ({
    number: c.number,
    state: c.state,
    origin: c.origin,
    score: c.score,
    signals: Array.isArray(c.signals) ? (c.signals as unknown as Signal[]) : [],
    nodeIds: c.nodes.map((n) => n.nodeId).sort(),
    assigneeName: c.assigneeName,
    createdAt: c.createdAt,
    reporters: c.reports.map((r) => {
      const s = standingOf.get(r.reporterUserId);
      const confirmed = s?.confirmed ?? 0;
      const dismissed = s?.dismissed ?? 0;
      return {
        name: nameOf.get(r.reporterIdentityId) ?? '—',
        reason: r.reason,
        text: r.text,
        weight: r.weight,
        confirmed,
        dismissed,
        reputation: reputationWeight(confirmed, dismissed),
      };
    }),
  }));
}
