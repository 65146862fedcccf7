// One log line per change of Redis connection state, not one per failed command. While
// Redis is away every BullMQ worker and queue reports each failed call (about ten lines a
// second in a small process, forever); those errors are covered by the "lost" line and
// dropped, and the "back" line says how long it lasted. ioredis reconnects by itself,
// with the backoff of `reconnectDelayMs`.
import type { Redis } from 'ioredis';
import type { Logger } from './logger';
import { scrub } from './scrub';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const CONNECTION_TEXTS =
  /Connection is closed|Stream isn't writeable|max retries per request|connect ETIMEDOUT|Command timed out|Socket closed unexpectedly|LOADING/i;

/** True for an error that only says Redis cannot be reached (not a bad command or script). */
export function isRedisConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  return (!!e.code && CONNECTION_CODES.has(e.code)) || CONNECTION_TEXTS.test(e.message ?? '');
}

/** Reconnect delay after `times` failed attempts: 100 ms doubling, at most 2 s. */
export function reconnectDelayMs(times: number): number {
  return Math.min(2_000, 100 * 2 ** Math.min(Math.max(times - 1, 0), 5));
}

export class RedisConnectionLog {
  private downSince: number | null = null;

  constructor(
    private readonly logger: Logger | undefined,
    private readonly where: string,
  ) {}

  get isDown(): boolean {
    return this.downSince !== null;
  }

  /** Follows one connection's state (the process's main connection is enough). */
  watch(redis: Redis): void {
    redis.on('error', (err) => {
      if (isRedisConnectionError(err)) this.lost(err);
    });
    redis.on('ready', () => this.back());
  }

  lost(err: unknown): void {
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.logger?.error(
      { redis: this.where, err: { message: scrub((err as Error)?.message ?? String(err)) } },
      'Redis connection lost; reconnecting with backoff (queues and liveness wait meanwhile)',
    );
  }

  back(): void {
    if (this.downSince === null) return;
    const seconds = Math.round((Date.now() - this.downSince) / 100) / 10;
    this.downSince = null;
    this.logger?.info({ redis: this.where, downSeconds: seconds }, 'Redis connection back');
  }

  /** For error listeners: true when the error is a connection error this log already covers. */
  covers(err: unknown): boolean {
    if (!isRedisConnectionError(err)) return false;
    this.lost(err);
    return true;
  }
}

/** host:port of a Redis URL, never its password. */
export function redisWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return '?';
  }
}
