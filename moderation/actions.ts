// Moderator actions on a case. Each is one conditional UPDATE in a transaction, so
// pressing a button twice, or two moderators pressing at once, makes one change and one
// history row; the loser is told what happened instead. Decisions tell every reporter
// (in their language, never naming the others) and, on "confirmed", the node owners.
import type { CaseState, PrismaClient } from '@prisma/client';
import type { LocalizedBlock } from '../core/queue';
import { addEvent, caseRef, isOpen, OPEN_STATES, type ModeratorActor } from './model';
import type { CaseEscalator, CaseMessenger } from './ports';

export type ActionResult =
  | { ok: true; caseId: string; caseRef: string; ticketRef?: string }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'closed'; state: CaseState; by: string | null }
  | { ok: false; reason: 'already'; by: string | null }
  | { ok: false; reason: 'no_reporter' | 'tickets_unavailable' | 'not_owner' | 'ticket_failed' };

export interface ActionDeps {
  prisma: PrismaClient;
  messenger: CaseMessenger;
  escalator?: CaseEscalator;
  changed(caseId: string, what: 'evidence' | 'card'): Promise<void>;
  /** Plain summary of a case for tickets (node ids, score, signals). */
  summarize(caseId: string): Promise<{ summary: string; nodeIds: string[] }>;
}

const OPEN = OPEN_STATES as string[];

export class CaseActions {
  constructor(private readonly deps: ActionDeps) {}

  private async find(number: number) {
    return this.deps.prisma.moderationCase.findUnique({
      where: { number },
      select: {
        id: true,
        number: true,
        state: true,
        assigneeName: true,
        decidedByName: true,
        ticketRef: true,
      },
    });
  }

  private async refused(number: number): Promise<ActionResult> {
    const c = await this.find(number);
    if (!c) return { ok: false, reason: 'not_found' };
    return { ok: false, reason: 'closed', state: c.state, by: c.decidedByName };
  }

  /** Takes the case (moves a new case to triaging). Claiming your own case again changes nothing. */
  async claim(number: number, actor: ModeratorActor): Promise<ActionResult> {
    const c = await this.find(number);
    if (!c) return { ok: false, reason: 'not_found' };
    const done = await this.deps.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: string }>>`
        UPDATE moderation_cases
           SET assignee_user_id = ${actor.userId}::uuid, assignee_name = ${actor.name},
               state = CASE WHEN state = 'NEW' THEN 'TRIAGING'::"CaseState" ELSE state END,
               version = version + 1, updated_at = now()
         WHERE number = ${number} AND state::text = ANY(${OPEN}::text[])
           AND assignee_user_id IS DISTINCT FROM ${actor.userId}::uuid
        RETURNING id`;
      if (rows.length === 0) return false;
      await addEvent(tx, c.id, 'claimed', actor, c.assigneeName ? { from: c.assigneeName } : undefined);
      return true;
    });
    if (!done) {
      const now = await this.find(number);
      if (now && isOpen(now.state)) return { ok: false, reason: 'already', by: now.assigneeName };
      return this.refused(number);
    }
    await this.deps.changed(c.id, 'card');
    return { ok: true, caseId: c.id, caseRef: caseRef(number) };
  }

  async decide(
    number: number,
    actor: ModeratorActor,
    decision: 'confirm' | 'dismiss',
  ): Promise<ActionResult> {
    const state: CaseState = decision === 'confirm' ? 'CONFIRMED' : 'DISMISSED';
    const won = await this.deps.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: string }>>`
        UPDATE moderation_cases
           SET state = ${state}::"CaseState", decided_at = now(), decided_by_name = ${actor.name},
               version = version + 1, updated_at = now()
         WHERE number = ${number} AND state::text = ANY(${OPEN}::text[])
        RETURNING id`;
      const id = rows[0]?.id;
      if (!id) return null;
      await addEvent(tx, id, decision === 'confirm' ? 'confirmed' : 'dismissed', actor);
      // Each reporter's record (their reputation) learns from the outcome, once per case.
      const reporters = await tx.caseReport.findMany({
        where: { caseId: id, counted: true },
        distinct: ['reporterUserId'],
        select: { reporterUserId: true },
      });
      for (const r of reporters) {
        const inc =
          decision === 'confirm' ? { confirmed: { increment: 1 } } : { dismissed: { increment: 1 } };
        await tx.reporterStanding.upsert({
          where: { userId: r.reporterUserId },
          create: {
            userId: r.reporterUserId,
            confirmed: decision === 'confirm' ? 1 : 0,
            dismissed: decision === 'confirm' ? 0 : 1,
          },
          update: inc,
        });
      }
      return id;
    });
    if (!won) return this.refused(number);
    await this.tellOutcome(won, number, decision);
    await this.deps.changed(won, 'card');
    return { ok: true, caseId: won, caseRef: caseRef(number) };
  }

  private async tellOutcome(caseId: string, number: number, decision: 'confirm' | 'dismiss'): Promise<void> {
    const { prisma, messenger } = this.deps;
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
  async askInfo(number: number, actor: ModeratorActor, question?: string): Promise<ActionResult> {
    const { prisma, messenger } = this.deps;
    const c = await this.find(number);
    if (!c) return { ok: false, reason: 'not_found' };
    if (!isOpen(c.state)) return this.refused(number);
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
    if (asked === null) return this.refused(number);
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
    await this.deps.changed(c.id, 'card');
    return { ok: true, caseId: c.id, caseRef: ref };
  }

  /** A reporter's DM while a question is pending: it goes into the case. Null: nothing pending. */
  async answerInfo(userId: string, text: string): Promise<{ caseRef: string } | null> {
    const { prisma } = this.deps;
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
    await this.deps.changed(pending.caseId, 'card');
    return { caseRef: caseRef(pending.case.number) };
  }

  /** Opens a ticket with the case attached (once: a second press gives the same ticket). */
  async escalate(number: number, actor: ModeratorActor): Promise<ActionResult> {
    const { prisma, escalator } = this.deps;
    const c = await this.find(number);
    if (!c) return { ok: false, reason: 'not_found' };
    if (c.ticketRef && c.ticketRef !== 'pending') return { ok: false, reason: 'already', by: c.ticketRef };
    if (!escalator) return { ok: false, reason: 'tickets_unavailable' };
    // Only one press opens a ticket: the marker is taken atomically.
    const mine = await prisma.moderationCase.updateMany({
      where: { id: c.id, ticketRef: null },
      data: { ticketRef: 'pending' },
    });
    if (mine.count === 0) return { ok: false, reason: 'already', by: null };
    const { summary, nodeIds } = await this.deps.summarize(c.id);
    const res = await escalator
      .open({
        caseId: c.id,
        caseRef: caseRef(number),
        requesterUserId: actor.userId,
        kind: 'escalation',
        summary,
        nodeIds,
      })
      .catch((err: Error) => ({ ok: false as const, reason: err.message }));
    if (!res.ok) {
      await prisma.moderationCase.update({ where: { id: c.id }, data: { ticketRef: null } });
      return { ok: false, reason: 'ticket_failed' };
    }
    await prisma.$transaction(async (tx) => {
      await tx.moderationCase.update({
        where: { id: c.id },
        data: { ticketRef: res.ticketRef, version: { increment: 1 } },
      });
      await addEvent(tx, c.id, 'escalated', actor, { ticket: res.ticketRef });
    });
    await this.deps.changed(c.id, 'card');
    return { ok: true, caseId: c.id, caseRef: caseRef(number), ticketRef: res.ticketRef };
  }

  /** The owner of a confirmed node appeals: a ticket with the case attached. */
  async appeal(number: number, owner: { userId: string; name: string }): Promise<ActionResult> {
    const { prisma, escalator } = this.deps;
    const c = await this.find(number);
    if (!c || c.state !== 'CONFIRMED')
      return c ? { ok: false, reason: 'not_owner' } : { ok: false, reason: 'not_found' };
    const nodes = await prisma.caseNode.findMany({ where: { caseId: c.id }, select: { nodeId: true } });
    const owns = await prisma.node.count({
      where: { userId: owner.userId, externalId: { in: nodes.map((n) => n.nodeId) } },
    });
    if (owns === 0) return { ok: false, reason: 'not_owner' };
    const earlier = await prisma.caseEvent.findFirst({
      where: { caseId: c.id, action: 'appealed', actorUserId: owner.userId },
    });
    if (earlier)
      return {
        ok: false,
        reason: 'already',
        by: (earlier.details as { ticket?: string } | null)?.ticket ?? null,
      };
    if (!escalator) return { ok: false, reason: 'tickets_unavailable' };
    const { summary, nodeIds } = await this.deps.summarize(c.id);
    const res = await escalator.open({
      caseId: c.id,
      caseRef: caseRef(number),
      requesterUserId: owner.userId,
      kind: 'appeal',
      summary,
      nodeIds,
    });
    if (!res.ok) return { ok: false, reason: 'ticket_failed' };
    await prisma.$transaction(async (tx) => {
      await addEvent(
        tx,
        c.id,
        'appealed',
        { userId: owner.userId, name: owner.name },
        { ticket: res.ticketRef },
      );
      await tx.moderationCase.update({ where: { id: c.id }, data: { version: { increment: 1 } } });
    });
    await this.deps.changed(c.id, 'card');
    return { ok: true, caseId: c.id, caseRef: caseRef(number), ticketRef: res.ticketRef };
  }
}
