// Sign-in links and sessions of the staff dashboard, in Redis so that every web process
// serves the same dashboard. Only the SHA-256 of a secret is a key: a Redis dump holds no
// usable link or session. A link is consumed with GETDEL, so two openings race for one
// value and only one of them gets it.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatPlatform } from '../core/conversation';
import type { Locale } from '../core/i18n';
import { keys } from '../core/keys';

export const LINK_TTL_SECONDS = 10 * 60;

/** Who signed in: enough to act as them through the domain services and to re-check roles. */
export interface StaffPrincipal {
  identityId: string;
  userId: string;
  platform: ChatPlatform;
  platformUserId: string;
  name: string;
  locale: Locale;
}

export interface Session extends StaffPrincipal {
  /** Sent back with every state-changing request (a form field or the x-csrf-token header). */
  csrf: string;
  createdAt: number;
}

const secret = () => crypto.randomBytes(32).toString('base64url');
const hash = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
/** Tokens are base64url of 32 bytes; anything else is refused before Redis is asked. */
const wellFormed = (s: string) => /^[A-Za-z0-9_-]{43}$/.test(s);

export class DashboardStore {
  private readonly k: ReturnType<typeof keys>;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly sessionTtlSeconds: number,
  ) {
    this.k = keys(prefix);
  }

  /** A new one-time sign-in token for this person, valid for LINK_TTL_SECONDS. */
  async issueLink(who: StaffPrincipal): Promise<string> {
    const token = secret();
    await this.redis.set(this.k.dashboardLink(hash(token)), JSON.stringify(who), 'EX', LINK_TTL_SECONDS);
    return token;
  }

  /** Consumes a link: the first caller gets the person, every later (or late) one null. */
  async consumeLink(token: string): Promise<StaffPrincipal | null> {
    if (!wellFormed(token)) return null;
    const raw = await this.redis.getdel(this.k.dashboardLink(hash(token)));
    return raw ? (JSON.parse(raw) as StaffPrincipal) : null;
  }

  async createSession(who: StaffPrincipal): Promise<{ id: string; session: Session }> {
    const id = secret();
    const session: Session = { ...who, csrf: secret(), createdAt: Date.now() };
    await this.redis.set(
      this.k.dashboardSession(hash(id)),
      JSON.stringify(session),
      'EX',
      this.sessionTtlSeconds,
    );
    return { id, session };
  }

  async session(id: string): Promise<Session | null> {
    if (!wellFormed(id)) return null;
    const raw = await this.redis.get(this.k.dashboardSession(hash(id)));
    return raw ? (JSON.parse(raw) as Session) : null;
  }

  /** Changes a session's language, keeping its expiry. */
  async setLocale(id: string, locale: Locale): Promise<void> {
    const s = await this.session(id);
    if (!s) return;
    await this.redis.set(this.k.dashboardSession(hash(id)), JSON.stringify({ ...s, locale }), 'KEEPTTL');
  }

  async endSession(id: string): Promise<void> {
    if (wellFormed(id))
      await this.redis.del(this.k.dashboardSession(hash(id)), this.k.dashboardFlash(hash(id)));
  }

  /** A notice for the next page this session shows (post, redirect, get). */
  async flash(id: string, text: string): Promise<void> {
    await this.redis.set(this.k.dashboardFlash(hash(id)), text.slice(0, 500), 'EX', 300);
  }

  async takeFlash(id: string): Promise<string | null> {
    return this.redis.getdel(this.k.dashboardFlash(hash(id)));
  }
}
