// The case actions that message people: the decision told to reporters and owners, and the
// ask-for-info round (the question DMs, a reporter's answer). CaseActions delegates here.
import type { CaseState } from '@prisma/client';
import type { LocalizedBlock } from '../core/queue';
import type { ActionDeps, ActionResult } from './actions';
import { addEvent, caseRef, isOpen, OPEN_STATES, type ModeratorActor } from './model';

const OPEN = OPEN_STATES as string[];

/** How the info round finds a case and words a refusal (CaseActions' own lookups). */
export interface CaseLookup {
  find(number: number): Promise<{ id: string; state: CaseState } | null>;
  refused(number: number): Promise<ActionResult>;
}

/** Tells every reporter the decision (only what they reported) and, when confirmed, the node owners. */
export async function tellOutcome(
  deps: Pick<ActionDeps, 'prisma' | 'messenger'>,
  caseId: string,
  number: number,
  decision: 'confirm' | 'dismiss',
): Promise<void> {
  const { prisma, messenger } = deps;
  const ref = caseRef(number);
  const reports = await prisma.caseReport.findMany({
    where: { caseId },
    select: { reporterUserId: true, nodeId: true },
  });
  const byReporter = new Map<string, Set<string>>();
  for (const r of reports)
    byReporter.set(r.reporterUserId, (byReporter.get(r.reporterUserId) ?? new Set()).add(r.nodeId));
  const key = decision === 'confirm' ? 'moderation.outcome.confirmed' : 'moderation.outcome.dismissed';
  for (const [userId, nodes] of byReporter) {
    // Only what this reporter reported: never the other reporters or their nodes.
    const content: LocalizedBlock[] = [
      { kind: 'text', key, params: { case: ref, nodes: [...nodes].sort().join(', ') } },
    ];
    await messenger.sendToUser(userId, content, {
      dedupeKey: `mod.${ref}.outcome.${userId}`,
      kind: 'case-outcome',
    });
  }
  if (decision !== 'confirm') return;
  const caseNodes = await prisma.caseNode.findMany({ where: { caseId }, select: { nodeId: true } });
  const owned = await prisma.node.findMany({
    where: { externalId: { in: caseNodes.map((n) => n.nodeId) }, NOT: { userId: null } },
    select: { externalId: true, userId: true },
  });
  const byOwner = new Map<string, string[]>();
  for (const n of owned) byOwner.set(n.userId!, [...(byOwner.get(n.userId!) ?? []), n.externalId]);
  for (const [userId, nodes] of byOwner) {
    const content: LocalizedBlock[] = [
      {
        kind: 'text',
        key: 'moderation.owner.confirmed',
        params: { case: ref, nodes: nodes.sort().join(', ') },
      },
      { kind: 'text', key: 'moderation.owner.appeal', params: { case: ref } },
      // The button opens the appeal ticket (routed to this feature's `appeal` button).
      {
        kind: 'buttons',
        buttons: [{ id: `moderation:appeal:${number}`, key: 'moderation.button.appeal' }],
      },
    ];
    await messenger.sendToUser(userId, content, {
      dedupeKey: `mod.${ref}.owner.${userId}`,
      kind: 'case-owner',
    });
  }
}

/** Asks every reporter of the case for more (once while a question is pending); their next DM answers. */
export async function askInfo(
  deps: ActionDeps,
  lookup: CaseLookup,
  number: number,
  actor: ModeratorActor,
  question?: string,
): Promise<ActionResult> {
  const { prisma, messenger } = deps;
  const c = await lookup.find(number);
  if (!c) return { ok: false, reason: 'not_found' };
  if (!isOpen(c.state)) return lookup.refused(number);
  const reporters = await prisma.caseReport.findMany({
    where: { caseId: c.id },
    distinct: ['reporterUserId'],
    select: { reporterUserId: true, nodeId: true },
  });
  if (reporters.length === 0) return { ok: false, reason: 'no_reporter' };
  const asked = await prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM moderation_cases WHERE id = ${c.id}::uuid AND state::text = ANY(${OPEN}::text[]) FOR UPDATE`;
    if (rows.length === 0) return null;
    const pending = await tx.caseInfoRequest.findMany({
      where: { caseId: c.id, answeredAt: null },
      select: { userId: true },
    });
    const waiting = new Set(pending.map((p) => p.userId));
    const fresh = reporters.filter((r) => !waiting.has(r.reporterUserId));
    if (fresh.length === 0) return [];
    const created = [];
    for (const r of fresh)
      created.push({
        ...(await tx.caseInfoRequest.create({
          data: { caseId: c.id, userId: r.reporterUserId, askedByName: actor.name },
        })),
        nodeId: r.nodeId,
      });
    await tx.moderationCase.update({
      where: { id: c.id },
      data: { state: 'NEEDS_INFO', version: { increment: 1 } },
    });
    await addEvent(tx, c.id, 'info_requested', actor, {
      reporters: fresh.length,
      ...(question ? { question: question.slice(0, 500) } : {}),
    });
    return created;
  });
  if (asked === null) return lookup.refused(number);
  if (asked.length === 0) return { ok: false, reason: 'already', by: null };
  const ref = caseRef(number);
  for (const r of asked) {
    const content: LocalizedBlock[] = [
      { kind: 'text', key: 'moderation.info.ask', params: { case: ref, node: r.nodeId } },
      ...(question
        ? [
            {
              kind: 'text' as const,
              key: 'moderation.info.question' as const,
              params: { question: question.slice(0, 500) },
            },
          ]
        : []),
    ];
    await messenger.sendToUser(r.userId, content, {
      dedupeKey: `mod.${ref}.ask.${r.id}`,
      kind: 'case-info',
    });
  }
  await deps.changed(c.id, 'card');
  return { ok: true, caseId: c.id, caseRef: ref };
}

/** A reporter's DM while a question is pending: it goes into the case. Null: nothing pending. */
export async function answerInfo(
  deps: ActionDeps,
  userId: string,
  text: string,
): Promise<{ caseRef: string } | null> {
  const { prisma } = deps;
  // Every DM a user writes is offered here first, so the common answer (nothing asked of
  // them) must cost one statement: a relation filter on the case cost a second one (the
  // open cases' ids) on every message. The case's state is checked on the few rows found.
  const asked = await prisma.caseInfoRequest.findMany({
    where: { userId, answeredAt: null, askedAt: { gt: new Date(Date.now() - 7 * 86_400_000) } },
    orderBy: { askedAt: 'desc' },
    include: { case: { select: { number: true, state: true } } },
  });
  const pending = asked.find((r) => OPEN_STATES.includes(r.case.state));
  if (!pending) return null;
  const answer = text.trim().slice(0, 2000);
  const took = await prisma.$transaction(async (tx) => {
    const res = await tx.caseInfoRequest.updateMany({
      where: { id: pending.id, answeredAt: null },
      data: { answeredAt: new Date(), answer },
    });
    if (res.count === 0) return false;
    await addEvent(tx, pending.caseId, 'info_received', { userId }, { text: answer });
    const left = await tx.caseInfoRequest.count({ where: { caseId: pending.caseId, answeredAt: null } });
    // Back to triage once every reporter asked has answered.
    if (left === 0)
      await tx.moderationCase.updateMany({
        where: { id: pending.caseId, state: 'NEEDS_INFO' },
        data: { state: 'TRIAGING' },
      });
    await tx.moderationCase.update({ where: { id: pending.caseId }, data: { version: { increment: 1 } } });
    return true;
  });
  if (!took) return null;
  await deps.changed(pending.caseId, 'card');
  return { caseRef: caseRef(pending.case.number) };
}
