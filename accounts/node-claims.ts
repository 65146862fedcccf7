// Device-name ownership challenges: where a network shows a device name (io.net), a user
// proves they control a device by putting a code we gave them into its name. Codes live in
// Redis only as hashes, for an hour; the network source checks a device's name at its next
// poll and the first code found there that was issued for this device wins.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from '../core/keys';

export const CLAIM_TTL_MS = 60 * 60_000;
/** Pending challenges per device: enough for a household, not a way to fill Redis. */
export const MAX_PENDING_PER_DEVICE = 20;
/** No 0/O, 1/I: codes are typed by hand into a device name. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_IN_NAME = /ND-[A-HJ-NP-Z2-9]{6}/gi;

const hash = (code: string) => crypto.createHash('sha256').update(code.toUpperCase()).digest('hex');

export function newClaimCode(): string {
  const bytes = crypto.randomBytes(6);
  return `ND-${[...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/** Codes a device name may carry (upper-cased), at most a few. */
export function codesIn(name: string | null | undefined): string[] {
  return [...new Set((name ?? '').slice(0, 256).match(CODE_IN_NAME) ?? [])]
    .slice(0, 5)
    .map((c) => c.toUpperCase());
}

export class DeviceNameChallenges {
  private readonly k;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** Called with a device just given a code: the watcher polls it next. */
    private readonly onIssued?: (deviceId: string) => Promise<void>,
  ) {
    this.k = keys(prefix);
  }

  /** A new code for this user and device; an older pending code of theirs stays valid until it expires. */
  async issue(
    userId: string,
    deviceId: string,
    now = Date.now(),
  ): Promise<{ ok: true; code: string; expiresAt: number } | { ok: false; error: 'busy' }> {
    const key = this.k.nodeClaim(deviceId);
    await this.prune(deviceId, now);
    if ((await this.redis.hlen(key)) >= MAX_PENDING_PER_DEVICE) return { ok: false, error: 'busy' };
    const code = newClaimCode();
    const expiresAt = now + CLAIM_TTL_MS;
    await this.redis
      .multi()
      .hset(key, hash(code), `${userId} ${expiresAt}`)
      .pexpire(key, CLAIM_TTL_MS)
      .exec();
    await this.onIssued?.(deviceId);
    return { ok: true, code, expiresAt };
  }

  /** Whether any challenge waits for this device (cheap: one EXISTS). */
  async pending(deviceId: string): Promise<boolean> {
    return (await this.redis.exists(this.k.nodeClaim(deviceId))) === 1;
  }

  /**
   * The user whose live code this device name carries, consuming that code (one use).
   * Concurrent checks: HDEL decides, so one code proves once.
   */
  async match(
    deviceId: string,
    deviceName: string | null | undefined,
    now = Date.now(),
  ): Promise<string | null> {
    const codes = codesIn(deviceName);
    if (codes.length === 0) return null;
    const key = this.k.nodeClaim(deviceId);
    const fields = codes.map(hash);
    const values = await this.redis.hmget(key, ...fields);
    for (const [i, v] of values.entries()) {
      if (!v) continue;
      const [userId, exp] = v.split(' ');
      if (!userId || Number(exp) <= now) continue;
      if ((await this.redis.hdel(key, fields[i]!)) === 1) return userId;
    }
    return null;
  }

  private async prune(deviceId: string, now: number): Promise<void> {
    const key = this.k.nodeClaim(deviceId);
    const all = await this.redis.hgetall(key);
    const dead = Object.entries(all)
      .filter(([, v]) => Number(v.split(' ')[1]) <= now)
      .map(([f]) => f);
    if (dead.length) await this.redis.hdel(key, ...dead);
  }
}
