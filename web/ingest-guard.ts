// Limits on unauthenticated heartbeat failures, per address and for the whole process.
// A request that fails authentication costs a little work; past the limits, requests from
// that address (or, under a spread-out flood, every request) that do not carry a valid
// bearer token are refused with 429 before their body is even read, so no rate of bad
// requests can crowd out good ones. Counted in memory per web process (no Redis round trip
// per bad request): with N web processes the effective limits are N times these.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

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
}

export const DEFAULT_GUARD: GuardLimits = {
  perIp: 20,
  global: 100,
  windowSeconds: 10,
  blockSeconds: 60,
  maxAnonymousInFlight: 4,
};

/** IPv6 clients are keyed by their /64: one host owns the whole prefix. */
export function addressKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(':')) return ip;
  const [head] = ip.split('::');
  const groups = (head ?? '').split(':').filter(Boolean);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

export class IngestGuard {
  private readonly perIp: RateLimiterMemory;
  private readonly global: RateLimiterMemory;
  private anonymous = 0;
  private readonly maxAnonymous: number;

  constructor(limits: GuardLimits = DEFAULT_GUARD) {
    this.maxAnonymous = limits.maxAnonymousInFlight ?? DEFAULT_GUARD.maxAnonymousInFlight!;
    this.perIp = new RateLimiterMemory({
      points: limits.perIp,
      duration: limits.windowSeconds ?? 10,
      blockDuration: limits.blockSeconds ?? 60,
    });
    this.global = new RateLimiterMemory({ points: limits.global, duration: 1, blockDuration: 2 });
  }

  /** Seconds to wait when this address (or the process) is shedding unauthenticated requests, else 0. */
  async shedding(ip: string): Promise<number> {
    const [mine, all] = await Promise.all([this.perIp.get(addressKey(ip)), this.global.get('all')]);
    const wait = (r: RateLimiterRes | null, points: number) =>
      r && r.consumedPoints > points ? Math.max(1, Math.ceil(r.msBeforeNext / 1000)) : 0;
    return Math.max(wait(mine, this.perIp.points), wait(all, this.global.points));
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
  async failed(ip: string, items = 1): Promise<void> {
    const points = 1 + Math.floor(items / 100);
    await Promise.all([
      this.perIp.consume(addressKey(ip), points).catch(() => {}),
      this.global.consume('all', points).catch(() => {}),
    ]);
  }
}
