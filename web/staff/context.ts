// Per-request helpers of the staff pages: the View (language, CSRF token, flash), the
// signed-in actor for DashboardActions, and the post-redirect-get answer of a form.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageKey } from '../../core/i18n';
import { t } from '../../core/i18n';
import { catalogs } from '../../core/i18n';
import { Forbidden, type Signed } from '../../dashboard/actions';
import type { DashboardDeps } from '../../dashboard/deps';
import { viewFor, type View } from '../../dashboard/views/layout';
import { isTicketError } from '../../ticketing/errors';
import { staffOf } from './auth';

export async function viewOf(req: FastifyRequest, deps: DashboardDeps, path: string): Promise<View> {
  const s = staffOf(req);
  const flash = await deps.store.takeFlash(s.id);
  return viewFor(s.session.locale, {
    csrf: s.session.csrf,
    name: s.session.name,
    moderator: s.roles.has('moderator'),
    path,
    ...(flash ? { flash } : {}),
  });
}

/** t() in the signed-in staff member's language. */
export const trOf =
  (req: FastifyRequest) =>
  (key: MessageKey, params?: Record<string, string | number>): string =>
    t(staffOf(req).session.locale, key, params);

export const signedOf = (req: FastifyRequest): Signed => {
  const s = staffOf(req);
  return { who: s.session, roles: s.roles };
};

export const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body);

export type Form = Record<string, string | string[] | undefined>;
export const field = (body: unknown, name: string): string => {
  const v = (body as Form | undefined)?.[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};
export const fields = (body: unknown, name: string): string[] => {
  const v = (body as Form | undefined)?.[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** A domain refusal in the staff member's language (ticket errors have their own texts). */
export function errorText(req: FastifyRequest, err: unknown): string {
  const locale = staffOf(req).session.locale;
  if (err instanceof Forbidden)
    return t(locale, err.permission === 'moderator' ? 'error.forbidden.moderator' : 'error.forbidden.staff');
  if (isTicketError(err)) {
    const key = `tickets.error.${err.code}` as MessageKey;
    if (key in catalogs.en) return t(locale, key, err.params as Record<string, string | number>);
  }
  return t(locale, 'dashboard.error.action', { error: (err as Error).message });
}

/**
 * Runs a form's action, remembers its outcome for the next page and redirects there (303),
 * so a reload never repeats the action. Unexpected errors still reach the error handler.
 */
export async function formAction(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: DashboardDeps,
  back: string,
  work: () => Promise<string>,
): Promise<FastifyReply> {
  let notice: string;
  try {
    notice = await work();
  } catch (err) {
    if (!(err instanceof Forbidden) && !isTicketError(err)) throw err;
    notice = errorText(req, err);
  }
  await deps.store.flash(staffOf(req).id, notice);
  return reply.code(303).header('location', back).send();
}
