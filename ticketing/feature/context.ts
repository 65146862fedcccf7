// Glue between the conversation layer's handler context and the ticket domain: the actor,
// the ticket a thread/topic belongs to, and refusals rendered in the actor's language.
import type { FeatureContext, HandlerResult } from '../../core/feature';
import { t } from '../../core/i18n';
import { formatTime } from '../../core/i18n/format';
import { reply, text } from '../../core/reply';
import type { Actor, AuditEntry } from '../actor';
import { isTicketError } from '../errors';
import { homeKey } from '../home';
import type { Ticketing } from '../index';

/** Contexts of staff-permission handlers: the router writes their one audit row. */
const routerAudited = new WeakSet<FeatureContext>();

export function routerAudits(ctx: FeatureContext): FeatureContext {
  routerAudited.add(ctx);
  return ctx;
}

export function actorOf(ctx: FeatureContext): Actor {
  const roles = ctx.actor.roles;
  return {
    ...(routerAudited.has(ctx)
      ? {
          reportAudit: (e: AuditEntry) =>
            ctx.auditAs({
              subjectType: e.subject.type,
              subjectId: e.subject.id,
              details: { action: e.action, ...((e.details as object | undefined) ?? {}) },
            }),
        }
      : {}),
    identityId: ctx.actor.identity.id,
    userId: ctx.actor.identity.userId,
    platform: ctx.actor.identity.platform,
    name: ctx.actor.displayName || ctx.actor.identity.username || ctx.actor.identity.platformUserId,
    role: roles.has('moderator') ? 'moderator' : roles.has('staff') ? 'staff' : 'user',
  };
}

/** The ticket worked in the thread/topic the input came from. */
export async function ticketHere(tk: Ticketing, ctx: FeatureContext) {
  const o = ctx.origin;
  if (o.kind !== 'thread') return null;
  return tk.tickets.byHomeKey(homeKey(o));
}

/** Runs a handler; a domain refusal becomes its localized text (and nothing changed). */
export async function refusals(
  ctx: FeatureContext,
  work: () => Promise<HandlerResult>,
): Promise<HandlerResult> {
  try {
    return await work();
  } catch (err) {
    if (!isTicketError(err)) throw err;
    // A refusal changed nothing: the router writes no audit row for it.
    ctx.auditAs({ subjectType: 'ticket', subjectId: '-', unchanged: true });
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(err.params)) params[k] = v instanceof Date ? formatTime(v) : v;
    return reply([text(t(ctx.locale, `tickets.error.${err.code}`, params))], { private: true });
  }
}

export const say = (
  ctx: FeatureContext,
  key: Parameters<typeof t>[1],
  params?: Record<string, string | number>,
) => reply([text(t(ctx.locale, key, params))]);

/** The platform message an input came from: stored messages are keyed by it (idempotent relay). */
export const sourceKey = (ctx: FeatureContext) =>
  `${ctx.actor.identity.platform}:${ctx.message?.chatId ?? ''}:${ctx.message?.messageId || Date.now()}`;
