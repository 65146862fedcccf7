// Node last-seen times in one Redis sorted set (member: node id, score: ms). ZADD GT keeps
// time from moving backwards with late or reordered heartbeats; a range query by score
// finds every node past its grace time, which scales to millions of nodes.
import type { Redis } from 'ioredis';

export class LastSeenStore {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:liveness:lastseen`;
  }

  async record(entries: Array<{ nodeId: string; at: number }>): Promise<void> {
    if (entries.length === 0) return;
    const args: Array<string | number> = [];
    for (const e of entries) args.push(e.at, e.nodeId);
    await this.redis.zadd(this.key, 'GT', ...(args as [number, string]));
  }

  async get(nodeIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (nodeIds.length === 0) return out;
    const scores = await this.redis.zmscore(this.key, ...nodeIds);
    nodeIds.forEach((id, i) => {
      const s = scores[i];
      if (s !== null && s !== undefined) out.set(id, Number(s));
    });
    return out;
  }

  async forget(nodeId: string): Promise<void> {
    await this.redis.zrem(this.key, nodeId);
  }

  /** Nodes whose last beat is at or before `cutoffMs`, oldest first. */
  async silentSince(cutoffMs: number, limit = 10_000): Promise<Array<{ nodeId: string; at: number }>> {
    const flat = await this.redis.zrangebyscore(this.key, '-inf', cutoffMs, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ nodeId: string; at: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ nodeId: flat[i]!, at: Number(flat[i + 1]) });
    return out;
  }
}
