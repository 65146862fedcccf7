// Whether a status source can be trusted right now. When the network API is down we know
// nothing about its nodes: they are "unknown", never "offline", and staff are told once.
import type { Redis } from 'ioredis';
import { keys } from '../../core/keys';
import { scrub } from '../../core/scrub';

export interface HealthState {
  ok: boolean;
  since: number;
  error?: string;
}

export class SourceHealth {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(source: string) {
    return keys(this.prefix).sourceHealth(source);
  }

  async get(source: string): Promise<HealthState> {
    const h = await this.redis.hgetall(this.key(source));
    if (!h.ok) return { ok: true, since: 0 };
    return { ok: h.ok === '1', since: Number(h.since), ...(h.error ? { error: h.error } : {}) };
  }

  /** Records the state; returns true when it changed (so the caller tells staff once). */
  async set(source: string, ok: boolean, error?: string, now = Date.now()): Promise<boolean> {
    const key = this.key(source);
    const prev = await this.redis.hget(key, 'ok');
    const want = ok ? '1' : '0';
    if (prev === want) return false;
    // HSETNX-like guard for racing pollers: only the process that flips the flag reports it.
    const res = await this.redis.eval(
      `if redis.call('HGET', KEYS[1], 'ok') == ARGV[1] then return 0 end
       redis.call('HSET', KEYS[1], 'ok', ARGV[1], 'since', ARGV[2], 'error', ARGV[3]) return 1`,
      1,
      key,
      want,
      String(now),
      scrub(error ?? ''),
    );
    // A source that was never marked is healthy by default: its first success is not news.
    return res === 1 && !(ok && prev === null);
  }
}
