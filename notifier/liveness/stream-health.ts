// How far the liveness consumer group is behind its stream, and the dead-letter stream for
// batches that kept failing. Read from Redis, so any process (the web role's /metrics, a
// workers process) sees the same figures.
import type { Redis } from 'ioredis';

export interface StreamStats {
  /** Entries in the stream (applied ones are kept until the length cap trims them). */
  length: number;
  /** Entries not yet read by the group (counted up to 10,001 where Redis does not report it). */
  lag: number | null;
  /** Entries read but not yet acknowledged (being applied, or left by a dead worker). */
  pending: number;
  /** Entries moved to the dead-letter stream. */
  deadLetters: number;
}

const LAG_SCAN_CAP = 10_001;

export const deadLetterKey = (stream: string) => `${stream}:dead`;

/** XINFO replies are flat [name, value, ...] lists. */
function fields(list: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
  return out;
}

export async function streamStats(redis: Redis, stream: string, group: string): Promise<StreamStats> {
  const [length, dead] = await Promise.all([redis.xlen(stream), redis.xlen(deadLetterKey(stream))]);
  let lag: number | null = null;
  let pending = 0;
  try {
    const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    const g = groups.map(fields).find((x) => x.name === group);
    if (g) {
      pending = Number(g.pending ?? 0);
      if (g.lag !== undefined && g.lag !== null) lag = Number(g.lag);
      else {
        // Redis before 7 has no `lag` (7 answers nil after deletions): count what follows
        // the last delivered entry, up to a bound that is already an alarm.
        const after = await redis.xrange(
          stream,
          `(${String(g['last-delivered-id'])}`,
          '+',
          'COUNT',
          LAG_SCAN_CAP,
        );
        lag = after.length;
      }
    }
  } catch {
    // No stream or group yet: nothing is behind.
  }
  return { length, lag, pending, deadLetters: dead };
}

export interface LagNotifier {
  notify(
    key: 'staff.livenessLag' | 'staff.livenessLagOk',
    params: Record<string, string | number>,
  ): Promise<void>;
}

/**
 * Warns (log and staff notice, once per spell) when the consumer group falls behind by
 * `warnAt` events, and says so again when it has caught up. The warning level never exceeds
 * half the stream's length cap, so staff hear of it well before the cap could trim events
 * that were never applied.
 */
export class LagMonitor {
  private behind = false;
  readonly warnAt: number;

  constructor(
    private readonly opts: {
      redis: Redis;
      stream: string;
      group: string;
      warnAt: number;
      cap: number;
      logger: { warn(o: object, m: string): void; info(o: object, m: string): void };
      staff?: LagNotifier;
    },
  ) {
    this.warnAt = Math.min(opts.warnAt, Math.floor(opts.cap / 2));
  }

  async check(): Promise<StreamStats> {
    const stats = await streamStats(this.opts.redis, this.opts.stream, this.opts.group);
    const lag = (stats.lag ?? 0) + stats.pending;
    if (!this.behind && lag >= this.warnAt) {
      this.behind = true;
      this.opts.logger.warn({ lag, warnAt: this.warnAt, cap: this.opts.cap }, 'liveness consumer is behind');
      await this.opts.staff?.notify('staff.livenessLag', { lag, threshold: this.warnAt }).catch(() => {});
    } else if (this.behind && lag < this.warnAt / 2) {
      this.behind = false;
      this.opts.logger.info({ lag }, 'liveness consumer caught up');
      await this.opts.staff?.notify('staff.livenessLagOk', { lag }).catch(() => {});
    }
    return stats;
  }
}
