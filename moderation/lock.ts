// One runner per case at a time, across processes. A job that finds the case busy fails
// with CaseBusy and BullMQ retries it shortly: it then runs after the holder, on data that
// includes whatever change queued it (changes commit before their job is queued).
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

export async function withCaseLock<T>(
  redis: Redis,
  key: string,
  fn: () => Promise<T>,
  ttlMs = 30_000,
): Promise<T> {
  const token = crypto.randomBytes(8).toString('hex');
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') throw new CaseBusy();
  try {
    return await fn();
  } finally {
    // Only our own lock: after a long stall another runner may hold it now.
    await redis.eval(RELEASE, 1, key, token);
  }
}
