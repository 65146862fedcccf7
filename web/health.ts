import type pg from 'pg';
import type { Redis } from 'ioredis';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number) {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { ok: false, error: (err as Error).message, ms: Math.round(performance.now() - start) };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(
  deps: { pool: pg.Pool; redis: Redis },
  timeoutMs = 1_500,
): Promise<HealthReport> {
  const [postgres, redis] = await Promise.all([
    timed(() => deps.pool.query('SELECT 1'), timeoutMs),
    timed(() => deps.redis.ping(), timeoutMs),
  ]);
  return { ok: postgres.ok && redis.ok, checks: { postgres, redis } };
}
