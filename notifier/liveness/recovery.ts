// Redis restarted empty (no persistence, a failover to an empty replica, FLUSHALL): the
// consumer group, the repeatable jobs, the liveness sets and the incident timers are gone,
// and nothing would ever alert again. A sentinel key written after every (re)build tells a
// lost Redis from a running one; when it is missing, one workers process rebuilds:
//   consumer group → repeatable jobs → liveness from PostgreSQL → incident timers.
// Rebuilt "online" nodes are seen as of the rebuild, so each gets one full grace time to
// beat before it is alerted; nodes that died meanwhile are alerted after that grace.
// Each part of the pipeline also stamps its progress, so /healthz can say "degraded" when
// the consumer or the sweep stops moving, not only when a connection fails.
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Logger } from '../../core/logger';
import { GROUP } from './consumer';
import type { LivenessStore, StatusSource } from './store';

export const sentinelKey = (prefix: string) => `${prefix}:liveness:epoch`;
const lockKey = (prefix: string) => `${prefix}:liveness:rebuild`;
/** Set for one grace time after a rebuild that followed a data loss: alerts are catching up. */
const recoveredKey = (prefix: string) => `${prefix}:liveness:recovered`;
export const progressKey = (prefix: string, part: PipelinePart) => `${prefix}:pipeline:${part}`;
export type PipelinePart = 'consumer' | 'sweep';

/** Creates the consumer group (and the stream) when missing; true when it had to. */
export async function ensureGroup(redis: Redis, stream: string): Promise<boolean> {
  try {
    await redis.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM');
    return true;
  } catch (err) {
    if (String((err as Error).message).includes('BUSYGROUP')) return false;
    throw err;
  }
}

export const isNoGroup = (err: unknown) => String((err as Error)?.message).includes('NOGROUP');

export async function stampProgress(redis: Redis, prefix: string, part: PipelinePart, now = Date.now()) {
  await redis.set(progressKey(prefix, part), String(now), 'PX', 3_600_000);
}

// KEYS: live, down. ARGV: now, then (id, state, lastSeenMs) triples. A node Redis still
// knows (it beat since Redis came back, or Redis never lost it) is left alone; ONLINE nodes
// count as seen now, so they get a full grace time before they can be declared offline.
const REBUILD = `
local now = ARGV[1]
local n = 0
for i = 2, #ARGV, 3 do
  local id = ARGV[i]
  if not redis.call('ZSCORE', KEYS[1], id) and not redis.call('ZSCORE', KEYS[2], id) then
    if ARGV[i + 1] == 'OFFLINE' then
      redis.call('ZADD', KEYS[2], 'NX', ARGV[i + 2], id)
    else
      redis.call('ZADD', KEYS[1], 'GT', now, id)
    end
    n = n + 1
  end
end
return n
`;

export interface RecoveryDeps {
  redis: Redis;
  prefix: string;
  pool: pg.Pool;
  stores: Record<StatusSource, LivenessStore>;
  logger: Logger;
  /** Re-registers the repeatable jobs (sweep, poll, simulator). */
  schedulers: () => Promise<void>;
  /** Re-arms incident timers for these users (their delayed jobs were lost). */
  rearm: (userIds: string[]) => Promise<void>;
  /** Tells staff, when Redis lost its data while we were running. */
  notify?: (nodes: number) => Promise<void>;
  checkEveryMs?: number;
  /** OFFLINE_GRACE_SECONDS in ms: how long rebuilt nodes have to beat before alerts. */
  graceMs: number;
}

export class LivenessRecovery {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number | null> | null = null;
  /** Set once this process saw a built Redis: a later missing sentinel means data loss. */
  private sawBuilt = false;

  constructor(private readonly deps: RecoveryDeps) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check().catch(() => {}), this.deps.checkEveryMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Rebuilds when the sentinel is missing; returns the nodes rebuilt, or null when nothing was needed. */
  check(): Promise<number | null> {
    this.running ??= (async () => {
      const { redis, prefix } = this.deps;
      if ((await redis.exists(sentinelKey(prefix))) === 1) {
        this.sawBuilt = true;
        return null;
      }
      const got = await redis.set(lockKey(prefix), String(process.pid), 'PX', 120_000, 'NX');
      if (got !== 'OK') return null; // another process rebuilds
      const lost = this.sawBuilt;
      try {
        return await this.rebuild(lost);
      } finally {
        await redis.del(lockKey(prefix)).catch(() => {});
      }
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async rebuild(lost: boolean): Promise<number> {
    const { redis, prefix, pool, stores, logger } = this.deps;
    const started = Date.now();
    if (lost) logger.warn('Redis lost its data: rebuilding liveness from PostgreSQL');
    await ensureGroup(redis, stores.push.events);
    await this.deps.schedulers();
    let after = '00000000-0000-0000-0000-000000000000';
    let total = 0;
    const now = Date.now();
    for (;;) {
      // The source of each node is the one of its last transition (push when none).
      const { rows } = await pool.query<{
        id: string;
        state: string;
        seen: string | null;
        source: string | null;
      }>(
        `SELECT n.id, n.state, (extract(epoch FROM n.last_seen_at) * 1000)::bigint AS seen, t.source
           FROM nodes n
           LEFT JOIN LATERAL (SELECT source FROM node_transitions WHERE node_id = n.id ORDER BY at DESC LIMIT 1) t ON true
          WHERE n.user_id IS NOT NULL AND n.state IN ('ONLINE', 'SUSPECT', 'OFFLINE') AND n.id > $1::uuid
          ORDER BY n.id LIMIT 2000`,
        [after],
      );
      if (rows.length === 0) break;
      for (const source of Object.keys(stores) as StatusSource[]) {
        const mine = rows.filter((r) => (r.source === 'poll' ? 'poll' : 'push') === source);
        if (mine.length === 0) continue;
        const args: Array<string | number> = [now];
        for (const r of mine) args.push(r.id, r.state, r.seen ?? now);
        total += (await redis.eval(REBUILD, 2, stores[source].live, stores[source].down, ...args)) as number;
      }
      after = rows[rows.length - 1]!.id;
    }
    const { rows: open } = await pool.query<{ user_id: string }>(
      `SELECT DISTINCT user_id FROM incidents WHERE closed_at IS NULL OR closed_at > now() - interval '1 day'`,
    );
    if (open.length) await this.deps.rearm(open.map((r) => r.user_id));
    await redis.set(sentinelKey(prefix), String(Date.now()));
    if (lost) await redis.set(recoveredKey(prefix), String(Date.now()), 'PX', Math.max(1, this.deps.graceMs));
    this.sawBuilt = true;
    logger.info(
      {
        nodes: total,
        incidents: open.length,
        ms: Date.now() - started,
        // Pages are dropped as they go; a rebuild should not grow the process (bench rss).
        heapMb: Math.round(process.memoryUsage().heapUsed / 1048576),
        rssMb: Math.round(process.memoryUsage().rss / 1048576),
      },
      'liveness rebuilt from PostgreSQL',
    );
    if (lost) await this.deps.notify?.(total).catch(() => {});
    return total;
  }
}

export interface PipelineRules {
  consumerStaleMs: number;
  sweepStaleMs: number;
}

export interface Problem {
  /** Safe to show anyone. */
  reason: string;
  /** Dependency error text: only behind the metrics token or on the metrics port. */
  detail?: string;
}

/**
 * Why the pipeline is degraded (empty when it is not). A stamp never written is not judged
 * (web-only deployments, first seconds after start) unless `seen` says it existed before.
 */
export async function pipelineProblems(
  redis: Redis,
  prefix: string,
  rules: PipelineRules,
  seen: Set<string>,
  now = Date.now(),
): Promise<Problem[]> {
  const [consumer, sweep, sentinel, rebuilding, recovered, push, poll] = await redis
    .multi()
    .get(progressKey(prefix, 'consumer'))
    .get(progressKey(prefix, 'sweep'))
    .exists(sentinelKey(prefix))
    .exists(lockKey(prefix))
    .exists(recoveredKey(prefix))
    .hmget(`${prefix}:source:push:health`, 'ok', 'error')
    .hmget(`${prefix}:source:poll:health`, 'ok', 'error')
    .exec()
    .then((r) => (r ?? []).map(([, v]) => v));
  const out: Problem[] = [];
  const judge = (name: string, v: unknown, staleMs: number, what: string) => {
    if (v) seen.add(name);
    if (!v && seen.has(name)) out.push({ reason: `${what} has made no progress since Redis lost its data` });
    else if (v && now - Number(v) > staleMs)
      out.push({ reason: `${what} has made no progress for ${Math.round((now - Number(v)) / 1000)} s` });
  };
  judge('consumer', consumer, rules.consumerStaleMs, 'liveness consumer');
  judge('sweep', sweep, rules.sweepStaleMs, 'liveness sweep');
  if (sentinel === 1) seen.add('sentinel');
  else if (seen.has('sentinel') || consumer || sweep)
    out.push({ reason: 'Redis lost its data; liveness not rebuilt yet' });
  if (rebuilding === 1) out.push({ reason: 'rebuilding liveness from PostgreSQL' });
  if (recovered === 1)
    out.push({ reason: 'liveness rebuilt after Redis lost its data; nodes have one grace time to beat' });
  for (const [name, h] of [
    ['heartbeat ingest', push],
    ['network source', poll],
  ] as const) {
    const [ok, error] = (h as Array<string | null>) ?? [];
    if (ok === '0') out.push({ reason: `${name} unhealthy`, ...(error ? { detail: error } : {}) });
  }
  return out;
}
