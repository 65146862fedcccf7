// Limits on unauthenticated heartbeat failures, per address and for the whole process.
// A request that fails authentication costs a little work; past the limits, requests from
// that address (or, under a spread-out flood, every request) that do not carry a valid
// bearer token are refused with 429 before their body is even read, so no rate of bad
// requests can crowd out good ones. Counted in memory per web process (no Redis round trip
// per bad request): with N web processes the effective limits are N times these.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface GuardLimits {
  /** Failed requests one address may make per window before it is shed. */
  perIp: number;
  /** Failed requests the whole process accepts per second before shedding everyone unauthenticated. */
  global: number;
  windowSeconds?: number;
  blockSeconds?: number;
}

export const DEFAULT_GUARD: GuardLimits = { perIp: 30, global: 300, windowSeconds: 10, blockSeconds: 60 };

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
  shedCount = 0;

  constructor(limits: GuardLimits = DEFAULT_GUARD) {
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

  /** Counts one failed (unauthenticated) request. */
  async failed(ip: string): Promise<void> {
    await Promise.all([
      this.perIp.consume(addressKey(ip)).catch(() => {}),
      this.global.consume('all').catch(() => {}),
    ]);
  }
}
