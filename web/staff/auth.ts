// Sign-in and the session gate of the staff dashboard. The one-time link sets an HttpOnly,
// SameSite=Strict cookie (Secure over HTTPS) and redirects to /staff; every /staff request
// then needs a live session whose person is still staff (roles re-checked through the
// router's lookups, cached at most a minute), and every state-changing request needs the
// session's CSRF token. Pages can never be framed (CSP frame-ancestors 'none').
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRole } from '../../core/feature';
import { t, type Locale } from '../../core/i18n';
import { SIGN_IN_PATH } from '../../dashboard/feature';
import type { DashboardDeps } from '../../dashboard/deps';
import type { Session } from '../../dashboard/store';
import { APP_CSS, APP_JS } from '../../dashboard/views/assets';
import { ASSETS_PATH, signInPage } from '../../dashboard/views/layout';

export const COOKIE = 'nodedesk_staff';
export const SIGN_IN_PAGE = '/signin';

export interface StaffRequest {
  id: string;
  session: Session;
  roles: ReadonlySet<StaffRole>;
}

const signedIn = new WeakMap<FastifyRequest, StaffRequest>();

/** The signed-in staff member of a request that passed the gate. */
export function staffOf(req: FastifyRequest): StaffRequest {
  const s = signedIn.get(req);
  if (!s) throw new Error('staff route without the session gate');
  return s;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Bull Board's page has inline script and styles of its own; it still cannot be framed. */
const BOARD_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
  .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
  .replace("base-uri 'none'", "base-uri 'self'");

/** Every dashboard response: no framing, no sniffing, no referrer (links carry tokens), no caching. */
export function securityHeaders(reply: FastifyReply, csp = CSP): void {
  reply
    .header('content-security-policy', csp)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

export function cookieOf(req: FastifyRequest, name = COOKIE): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

const localeOf = (req: FastifyRequest): Locale =>
  /^zh\b/i.test(req.headers['accept-language'] ?? '') ? 'zh' : 'en';

function setCookie(reply: FastifyReply, value: string, maxAge: number, secure: boolean): void {
  const flags = [`${COOKIE}=${value}`, 'Path=/staff', `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict'];
  if (secure) flags.push('Secure');
  reply.header('set-cookie', flags.join('; '));
}

export function clearCookie(reply: FastifyReply, secure: boolean): void {
  setCookie(reply, '', 0, secure);
}

const tokensEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

/** Public routes: the sign-in page, the one-time link, the stylesheet and script. */
export function signInRoutes(app: FastifyInstance, deps: DashboardDeps, sessionTtlSeconds: number): void {
  const secure = (req: FastifyRequest) => deps.secureCookies || req.protocol === 'https';
  app.get(SIGN_IN_PAGE, async (req, reply) => {
    securityHeaders(reply);
    const ended = (req.query as Record<string, string>).ended === '1';
    return reply
      .type('text/html; charset=utf-8')
      .send(signInPage(localeOf(req), ended ? 'dashboard.signin.ended' : undefined));
  });
  app.get<{ Params: { token: string } }>(`${SIGN_IN_PATH}:token`, async (req, reply) => {
    securityHeaders(reply);
    const who = await deps.store.consumeLink(req.params.token);
    if (!who)
      return reply
        .code(401)
        .type('text/html; charset=utf-8')
        .send(signInPage(localeOf(req), 'dashboard.signin.refused'));
    const { id } = await deps.store.createSession(who);
    setCookie(reply, id, sessionTtlSeconds, secure(req));
    deps.logger.info({ identity: who.identityId, platform: who.platform }, 'dashboard sign-in');
    return reply.code(303).header('location', '/staff').send();
  });
  app.get(`${ASSETS_PATH}/app.css`, async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(APP_CSS),
  );
  app.get(`${ASSETS_PATH}/app.js`, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(APP_JS),
  );
}

/**
 * The gate for the /staff context: a session, a staff role now, and (for anything but
 * GET/HEAD) the CSRF token. API calls (`/staff/api/…`) and non-GET requests get 401; pages 303.
 */
export function sessionGate(app: FastifyInstance, deps: DashboardDeps): void {
  const secure = (req: FastifyRequest) => deps.secureCookies || req.protocol === 'https';
  const deny = (req: FastifyRequest, reply: FastifyReply, ended: boolean) => {
    if (ended) clearCookie(reply, secure(req));
    const api = req.url.startsWith('/staff/api/') || (req.method !== 'GET' && req.method !== 'HEAD');
    if (api)
      return reply
        .code(401)
        .send({ error: { code: 'unauthorized', message: 'Sign in from chat: /dashboard' } });
    return reply
      .code(303)
      .header('location', ended ? `${SIGN_IN_PAGE}?ended=1` : SIGN_IN_PAGE)
      .send();
  };
  app.addHook('onRequest', async (req, reply) => {
    securityHeaders(reply, req.url.startsWith('/staff/queues') ? BOARD_CSP : CSP);
    const id = cookieOf(req);
    const session = id ? await deps.store.session(id) : null;
    if (!id || !session) return deny(req, reply, false);
    const roles = await deps.roles.rolesOf(session.platform, session.platformUserId);
    if (!roles.has('staff') && !roles.has('moderator')) {
      // No longer staff: the session ends here, not just this request.
      await deps.store.endSession(id);
      deps.logger.info({ identity: session.identityId }, 'dashboard session ended: no staff role');
      return deny(req, reply, true);
    }
    signedIn.set(req, { id, session, roles });
  });
  app.addHook('preHandler', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const s = signedIn.get(req);
    if (!s) return; // already answered by the gate
    const body = req.body as Record<string, unknown> | undefined;
    const sent = req.headers['x-csrf-token'] ?? (typeof body?._csrf === 'string' ? body._csrf : '');
    if (typeof sent !== 'string' || !tokensEqual(sent, s.session.csrf))
      return reply
        .code(403)
        .type('text/plain; charset=utf-8')
        .send(t(s.session.locale, 'dashboard.error.csrf'));
  });
}

/** application/x-www-form-urlencoded bodies (the pages' forms); repeated names become arrays. */
export function formBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        const had = out[k];
        out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      }
      done(null, out);
    },
  );
}
