// Moderator actions on a case. Each is one conditional UPDATE in a transaction, so
// pressing a button twice, or two moderators pressing at once, makes one change and one
// history row; the loser is told what happened instead. Decisions tell every reporter
// (in their language, never naming the others) and, on "confirmed", the node owners.
import type { CaseState, PrismaClient } from '@prisma/client';
import { addEvent, caseRef, isOpen, OPEN_STATES, type ModeratorActor } from './model';
import { answerInfo, askInfo, tellOutcome } from './actions-messages';
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
    return tellOutcome(this.deps, caseId, number, decision);
  }

  /** Asks every reporter of the case for more (once while a question is pending); their next DM answers. */
  async askInfo(number: number, actor: ModeratorActor, question?: string): Promise<ActionResult> {
    const lookup = { find: (n: number) => this.find(n), refused: (n: number) => this.refused(n) };
    return askInfo(this.deps, lookup, number, actor, question);
  }

  /** A reporter's DM while a question is pending: it goes into the case. Null: nothing pending. */
  async answerInfo(userId: string, text: string): Promise<{ caseRef: string } | null> {
    return answerInfo(this.deps, userId, text);
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
