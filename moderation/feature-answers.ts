// How the moderation feature answers: the reply or toast for each outcome of a report, a
// moderator action or an appeal, and who the actor is; the declarations stay in feature.ts.
import type { PrismaClient } from '@prisma/client';
import type { FeatureContext, HandlerResult, InboundFile } from '../core/feature';
import type { MessageKey } from '../core/i18n';
import { formatDuration, formatTime } from '../core/i18n/format';
import { reply, text } from '../core/reply';
import type { ActionResult } from './actions';
import type { ReportOutcome } from './intake';
import { MAX_REPORT_TEXT, parseCaseRef, type ModeratorActor, type Reporter } from './model';
import type { Moderation } from './service';

export const say = (ctx: FeatureContext, key: MessageKey, params?: Record<string, string | number>) =>
  reply([text(ctx.t(key, params))], { private: true });
export const toast = (
  ctx: FeatureContext,
  key: MessageKey,
  params?: Record<string, string | number>,
  alert = false,
) => ({ kind: 'toast', text: ctx.t(key, params), alert }) as const;

export const nameOf = (ctx: FeatureContext) =>
  ctx.actor.identity.username ? `@${ctx.actor.identity.username}` : ctx.actor.displayName.slice(0, 64);

export const reporterOf = (ctx: FeatureContext): Reporter => ({
  userId: ctx.actor.identity.userId,
  identityId: ctx.actor.identity.id,
  platform: ctx.actor.identity.platform,
  platformUserId: ctx.actor.identity.platformUserId,
  name: nameOf(ctx),
});

export const moderatorOf = (ctx: FeatureContext): ModeratorActor => ({
  userId: ctx.actor.identity.userId,
  identityId: ctx.actor.identity.id,
  name: nameOf(ctx),
});

export function reportAnswer(ctx: FeatureContext, res: ReportOutcome): HandlerResult {
  if (res.ok)
    return say(ctx, res.repeat ? 'moderation.report.repeat' : 'moderation.report.done', {
      case: res.caseRef,
    });
  switch (res.error) {
    case 'invalid_node':
      return say(ctx, 'moderation.report.invalidNode');
    case 'own_node':
      return say(ctx, 'moderation.report.ownNode');
    case 'text_too_long':
      return say(ctx, 'moderation.report.textTooLong', { max: MAX_REPORT_TEXT });
    case 'barred':
      return say(ctx, 'moderation.report.barred', { since: formatTime(res.since) });
    case 'rate_limited':
      return say(ctx, res.limit === 'hour' ? 'moderation.report.rateHour' : 'moderation.report.rateDay', {
        max: res.max,
        time: formatTime(res.retryAt),
        wait: formatDuration(ctx.locale, res.retryAt.getTime() - Date.now()),
      });
  }
}

export function actionAnswer(
  ctx: FeatureContext,
  number: number,
  done: MessageKey,
  res: ActionResult,
): HandlerResult {
  const ref = `C${number}`;
  if (res.ok) {
    ctx.auditAs({
      subjectType: 'moderation_case',
      subjectId: ref,
      ...(res.ticketRef ? { details: { ticket: res.ticketRef } } : {}),
    });
    return toast(ctx, done, { case: ref, ticket: res.ticketRef ?? '' });
  }
  // Nothing changed (a repeat, or another moderator was first): no audit entry.
  ctx.auditAs({ subjectType: 'moderation_case', subjectId: ref, unchanged: true });
  switch (res.reason) {
    case 'not_found':
      return toast(ctx, 'moderation.act.notFound', { case: ref }, true);
    case 'closed':
      return toast(
        ctx,
        'moderation.act.closed',
        {
          case: ref,
          state: ctx.t(`moderation.state.${res.state}` as MessageKey),
          who: res.by ?? '—',
        },
        true,
      );
    case 'already':
      return toast(
        ctx,
        done === 'moderation.act.escalated'
          ? 'moderation.act.alreadyEscalated'
          : done === 'moderation.act.asked'
            ? 'moderation.act.alreadyAsked'
            : 'moderation.act.alreadyClaimed',
        { case: ref, ticket: res.by ?? '', who: res.by ?? '' },
        true,
      );
    case 'no_reporter':
      return toast(ctx, 'moderation.act.noReporter', { case: ref }, true);
    case 'tickets_unavailable':
      return toast(ctx, 'moderation.act.ticketsUnavailable', { case: ref }, true);
    default:
      return toast(ctx, 'moderation.act.ticketFailed', { case: ref }, true);
  }
}

export const attachmentOf = (f: InboundFile) => ({
  name: f.name,
  ...(f.url ? { url: f.url } : {}),
  ...(f.ref ? { ref: f.ref } : {}),
  ...(f.contentType ? { contentType: f.contentType } : {}),
  ...(f.size !== undefined ? { size: f.size } : {}),
});

/** `@name` or a platform user id → the user. */
export async function findUser(prisma: PrismaClient, who: string): Promise<string | null> {
  const w = who.trim();
  const row = w.startsWith('@')
    ? await prisma.identity.findFirst({ where: { username: { equals: w.slice(1), mode: 'insensitive' } } })
    : /^\d{1,20}$/.test(w)
      ? await prisma.identity.findFirst({ where: { platformUserId: w } })
      : null;
  return row?.userId ?? null;
}

/** `/appeal C12` or the Appeal button of the outcome DM: the owner's ticket with the case attached. */
export async function appealAs(moderation: Moderation, ctx: FeatureContext, caseArg: string | undefined) {
  const number = parseCaseRef(caseArg);
  if (number === null) return say(ctx, 'moderation.appeal.usage');
  const res = await moderation.actions.appeal(number, {
    userId: ctx.actor.identity.userId,
    name: nameOf(ctx),
  });
  const ref = `C${number}`;
  if (res.ok) return say(ctx, 'moderation.appeal.done', { case: ref, ticket: res.ticketRef ?? '' });
  if (res.reason === 'already')
    return say(ctx, 'moderation.appeal.already', { case: ref, ticket: res.by ?? '' });
  if (res.reason === 'tickets_unavailable' || res.reason === 'ticket_failed')
    return say(ctx, 'moderation.act.ticketsUnavailable', { case: ref });
  return say(ctx, 'moderation.appeal.notOwner', { case: ref });
}
