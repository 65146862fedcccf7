// Limits on unauthenticated heartbeat failures, per address and for the whole process.
// A request that fails authentication costs a little work; past the limits, requests from
// that address (or, under a spread-out flood, every request) that do not carry a valid
// bearer token are refused with 429 before their body is even read, so no rate of bad
// requests can crowd out good ones. Counted in memory per web process and synchronously (no
// Redis round trip, no promise per bad request), so the check can run before Fastify builds
// a request at all (`gate` in heartbeat-gate.ts). With N web processes the limits are N times these.
// An address that is shed and has sent no good heartbeat lately is refused even earlier: its
// new connections are closed as they are accepted (`refusesConnection`), before any byte is
// read, because a flood's cost on our side is mostly per connection (accept, HTTP parse, an
// answer, close). An address that did send good heartbeats (a NAT shared with an attacker)
// keeps the per-request check, which lets valid bearer tokens through.
import { LRUCache } from 'lru-cache';

export interface GuardLimits {
  /** Failure points one address may spend per window before it is shed (see `failed`). */
  perIp: number;
  /** Failure points the whole process accepts per second before shedding everyone unauthenticated. */
  global: number;
  windowSeconds?: number;
  blockSeconds?: number;
  /**
   * Requests without an Authorization header (batches, or no credentials at all) parsed at
   * once per process: their body must be read and every item hashed before we know whether
   * any is valid, so beyond this they wait outside (429) instead of queueing on the event loop.
   */
  maxAnonymousInFlight?: number;
  /** See MAX_UNPROVEN_CONNECTIONS. */
  maxUnprovenConnections?: number;
}

export const DEFAULT_GUARD: GuardLimits = {
  perIp: 20,
  global: 100,
  windowSeconds: 10,
  blockSeconds: 60,
  maxAnonymousInFlight: 4,
};

const noop = () => {};

/** IPv6 clients are keyed by their /64: one host owns the whole prefix. */
export function addressKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  const [head] = ip.split('::');
  const groups = (head ?? '').split(':').filter(Boolean);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** A fixed window of failure points, and a block once they went over. */
interface Window {
  points: number;
  endsAt: number;
  blockedUntil: number;
}

/** Addresses tracked at once: a flood spread over more addresses is held by the global limit. */
export const MAX_TRACKED_ADDRESSES = 100_000;
/** How long an address that sent an accepted heartbeat keeps its requests read (not cut at accept). */
export const GOOD_ADDRESS_TTL_MS = 3_600_000;
/**
 * Connections open at once from an address that has sent no accepted heartbeat yet. A
 * flood's first wave comes before any of its requests failed: this is what keeps hundreds
 * of its connections from reaching the HTTP server at once. An agent needs one; a NAT of
 * agents starting together gets more as soon as one beat is accepted.
 */
export const MAX_UNPROVEN_CONNECTIONS = 8;

export class IngestGuard {
  private readonly perIp: LRUCache<string, Window>;
  private readonly good = new LRUCache<string, true>({
    max: MAX_TRACKED_ADDRESSES,
    ttl: GOOD_ADDRESS_TTL_MS,
  });
  /** Open connections per unproven address (bounded by the connection cap). */
  private readonly open = new Map<string, number>();
  private readonly global: Window = { points: 0, endsAt: 0, blockedUntil: 0 };
  private anonymous = 0;
  private readonly maxAnonymous: number;
  private readonly windowMs: number;
  private readonly blockMs: number;

  constructor(
    private readonly limits: GuardLimits = DEFAULT_GUARD,
    private readonly now: () => number = Date.now,
  ) {
    this.maxAnonymous = limits.maxAnonymousInFlight ?? DEFAULT_GUARD.maxAnonymousInFlight!;
    this.windowMs = (limits.windowSeconds ?? 10) * 1000;
    this.blockMs = (limits.blockSeconds ?? 60) * 1000;
    this.perIp = new LRUCache({ max: MAX_TRACKED_ADDRESSES });
  }

  /** Seconds to wait when this address (or the process) is shedding unauthenticated requests, else 0. */
  shedding(ip: string): number {
    const t = this.now();
    const until = Math.max(this.perIp.get(addressKey(ip))?.blockedUntil ?? 0, this.global.blockedUntil);
    return until > t ? Math.max(1, Math.ceil((until - t) / 1000)) : 0;
  }

  /**
   * Whether a new connection from this address may be closed unread: the address is shed
   * and sent no accepted heartbeat within the last hour (then it may be shared by good agents).
   */
  refusesConnection(ip: string): boolean {
    const key = addressKey(ip);
    const mine = this.perIp.get(key);
    return mine !== undefined && mine.blockedUntil > this.now() && !this.good.has(key);
  }

  /**
   * Takes a connection slot for an address that sent no accepted heartbeat yet: a release
   * to call when the connection closes, or null when it has MAX_UNPROVEN_CONNECTIONS open.
   * Proven addresses are not counted (a no-op release).
   */
  openConnection(ip: string): (() => void) | null {
    const key = addressKey(ip);
    if (this.good.has(key)) return noop;
    const n = this.open.get(key) ?? 0;
    if (n >= (this.limits.maxUnprovenConnections ?? MAX_UNPROVEN_CONNECTIONS)) return null;
    this.open.set(key, n + 1);
    return () => {
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  /** An accepted heartbeat came from this address. */
  succeeded(ip: string): void {
    this.good.set(addressKey(ip), true);
  }

  /**
   * A request refused unread because its address or the process is shedding (it ignored a
   * Retry-After, or joined a spread-out flood): one point against its address, none against
   * the process. Addresses with good heartbeats are not counted, so good agents behind a NAT
   * never escalate from being asked to wait.
   */
  refused(ip: string): void {
    const key = addressKey(ip);
    if (this.good.has(key)) return;
    this.count(this.window(key), 1, this.limits.perIp, this.windowMs, this.blockMs);
  }

  /** Whether this address itself (not only the process) is shedding. */
  addressShed(ip: string): boolean {
    return (this.perIp.get(addressKey(ip))?.blockedUntil ?? 0) > this.now();
  }

  /** Like `shedding`, for the process-wide limit only. */
  sheddingEveryone(): number {
    const t = this.now();
    const until = this.global.blockedUntil;
    return until > t ? Math.max(1, Math.ceil((until - t) / 1000)) : 0;
  }

  /** Every slot for requests without an Authorization header is taken (see admitAnonymous). */
  anonymousFull(): boolean {
    return this.anonymous >= this.maxAnonymous;
  }

  /** Takes a slot for a request without an Authorization header; null when all are taken. */
  admitAnonymous(): (() => void) | null {
    if (this.anonymous >= this.maxAnonymous) return null;
    this.anonymous++;
    let released = false;
    return () => {
      if (!released) ((released = true), this.anonymous--);
    };
  }

  /**
   * Counts one failed (unauthenticated) request, weighted by the items it made us hash and
   * look up: a batch of 1,000 bad tokens costs 11 points, a single bad token 1.
   */
  failed(ip: string, items = 1): void {
    const points = 1 + Math.floor(items / 100);
    this.count(this.window(addressKey(ip)), points, this.limits.perIp, this.windowMs, this.blockMs);
    this.count(this.global, points, this.limits.global, 1_000, 2_000);
  }

  private window(key: string): Window {
    let mine = this.perIp.get(key);
    if (!mine) this.perIp.set(key, (mine = { points: 0, endsAt: 0, blockedUntil: 0 }));
    return mine;
  }

  private count(w: Window, points: number, limit: number, windowMs: number, blockMs: number): void {
    const t = this.now();
    if (t >= w.endsAt) ((w.points = 0), (w.endsAt = t + windowMs));
    w.points += points;
    if (w.points > limit) w.blockedUntil = Math.max(w.blockedUntil, t + blockMs);
  }
}
