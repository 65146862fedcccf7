// One runner per case at a time, across processes, with bursts coalesced: 20 reports in a
// few seconds make a few card edits, not 20 (Telegram allows about 20 messages a minute to
// one group). Every job marks the case dirty first; a job that finds the case busy leaves,
// and the holder runs again if anything marked it while it worked. Changes commit before
// their job is queued, so the last run always sees them.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';

export class CaseBusy extends Error {
  constructor() {
    super('case busy: retried shortly');
    this.name = 'CaseBusy';
  }
}

const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

async function acquire(redis: Redis, key: string, ttlMs: number): Promise<string | null> {
  const token = crypto.randomBytes(8).toString('hex');
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
}

/** Runs `fn` under the lock; throws CaseBusy (the job is retried) when someone else holds it. */
export async function withCaseLock<T>(
  redis: Redis,
  key: string,
  fn: () => Promise<T>,
  ttlMs = 30_000,
): Promise<T> {
  const token = await acquire(redis, key, ttlMs);
  if (!token) throw new CaseBusy();
  try {
    return await fn();
  } finally {
    // Only our own lock: after a long stall another runner may hold it now.
    await redis.eval(RELEASE, 1, key, token);
  }
}

/** Runs `fn` until no job marked the key while it ran; returns at once when another runner holds it. */
export async function coalesced(
  redis: Redis,
  key: string,
  fn: () => Promise<void>,
  ttlMs = 120_000,
): Promise<void> {
  const dirty = `${key}:dirty`;
  await redis
    .pipeline()
    .incr(dirty)
    .pexpire(dirty, 24 * 3_600_000)
    .exec();
  for (let round = 0; round < 20; round++) {
    const token = await acquire(redis, key, ttlMs);
    if (!token) return;
    let seen: string | null;
    try {
      seen = await redis.get(dirty);
      await fn();
    } finally {
      await redis.eval(RELEASE, 1, key, token);
    }
    if ((await redis.get(dirty)) === seen) return;
  }
}
