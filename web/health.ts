// /healthz: dependencies answer (fail → 503), and the pipeline moves (degraded → 503 too,
// with the reason): a consumer or sweep that stopped is an outage of alerts even while every
// connection is fine. Anyone sees the status and the names of what fails; dependency error
// texts only behind the metrics token or on the metrics port, and scrubbed even there.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { scrub } from '../core/scrub';
import { pipelineProblems, type PipelineRules, type Problem } from '../notifier/liveness/recovery';

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
    return { ok: false, error: scrub((err as Error).message), ms: Math.round(performance.now() - start) };
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

export interface PipelineWatch {
  prefix: string;
  rules: PipelineRules;
}

export class HealthService {
  private readonly seen = new Set<string>();

  constructor(private readonly deps: { pool: pg.Pool; redis: Redis; pipeline?: PipelineWatch }) {}

  /** The body and status of /healthz; `detailed` adds error texts (still scrubbed). */
  async report(detailed: boolean): Promise<{ status: number; body: Record<string, unknown> }> {
    const report = await checkHealth(this.deps);
    const failing = Object.entries(report.checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    let problems: Problem[] = [];
    if (report.checks.redis?.ok && this.deps.pipeline) {
      const { prefix, rules } = this.deps.pipeline;
      problems = await pipelineProblems(this.deps.redis, prefix, rules, this.seen).catch(() => []);
    }
    const status = !report.ok ? 'fail' : problems.length ? 'degraded' : 'ok';
    const checks = Object.fromEntries(
      Object.entries(report.checks).map(([k, c]) => [k, detailed ? c : { ok: c.ok, ms: c.ms }]),
    );
    return {
      status: status === 'ok' ? 200 : 503,
      body: {
        status,
        ...(failing.length ? { failing } : {}),
        ...(problems.length
          ? {
              degraded: problems.map((p) =>
                detailed && p.detail ? `${p.reason}: ${scrub(p.detail)}` : p.reason,
              ),
            }
          : {}),
        checks,
      },
    };
  }
}

/** Constant-time check of "Authorization: Bearer <token>" against the configured token. */
export function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const a = crypto.createHash('sha256').update(m[1]!).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}
