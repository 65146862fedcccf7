import IORedis from 'ioredis';
import { TEST_REDIS_URL } from './env';
import { uniqueName } from './db';

/** A QUEUE_PREFIX of its own per test file, and a way to delete its keys afterwards. */
export function testPrefix(): string {
  return uniqueName('test');
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
