// Node liveness in Redis, per status source (push heartbeats, network poll):
//   live  ZSET node → last-seen ms (online, or late but inside the grace time)
//   down  ZSET node → last-seen ms when it was declared offline
//   events STREAM of transitions, written in the same Lua call that moves a node between
//          the sets, so a crash can never lose or invent a transition.
// A sweep is one range query by score: its cost follows the nodes that just went quiet,
// not the fleet size.
import os from 'node:os';
import type { Redis } from 'ioredis';
import { keys } from '../../core/keys';

export type StatusSource = 'push' | 'poll' | 'ionet' | 'nosana' | 'akash';
export interface LivenessEvent {
  id: string;
  nodeId: string;
  to: 'ONLINE' | 'OFFLINE';
  /** Last seen (ms) for OFFLINE; time of the beat for ONLINE. */
  at: number;
  source: StatusSource;
}

export const STREAM_MAXLEN = 1_000_000;

// KEYS: live, down, events. ARGV: cutoff, source, then (ts, id) pairs.
// A beat older than the cutoff is stale: it neither refreshes nor revives a node.
const BEAT = `
local cutoff = tonumber(ARGV[1])
local revived = 0
for i = 3, #ARGV, 2 do
  local ts = tonumber(ARGV[i])
  local id = ARGV[i + 1]
  if ts > cutoff then
    local wasDown = redis.call('ZREM', KEYS[2], id) == 1
    -- ZADD answers 1 for a member it added: a node seen for the first time.
    local isNew = redis.call('ZADD', KEYS[1], 'GT', ts, id) == 1
    if wasDown or isNew then
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', ${STREAM_MAXLEN}, '*', 'n', id, 't', 'ONLINE', 'a', ARGV[i], 's', ARGV[2])
      revived = revived + 1
    end
  end
end
return revived
`;

// KEYS: live, down, events. ARGV: cutoff, limit, source.
const SWEEP = `
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #found, 2 do
  local id = found[i]
  local ts = found[i + 1]
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], ts, id)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ${STREAM_MAXLEN}, '*', 'n', id, 't', 'OFFLINE', 'a', ts, 's', ARGV[3])
end
return #found / 2
`;

// KEYS: live, down, events. ARGV: source, then ids. An agent that says "offline" (clean
// shutdown) goes down at once instead of after the grace time.
const MARK_DOWN = `
local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local ts = redis.call('ZSCORE', KEYS[1], id)
  if ts then
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZADD', KEYS[2], ts, id)
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', ${STREAM_MAXLEN}, '*', 'n', id, 't', 'OFFLINE', 'a', ts, 's', ARGV[1])
    n = n + 1
  end
end
return n
`;

type WithScripts = Redis & {
  ndBeat(live: string, down: string, events: string, ...args: Array<string | number>): Promise<number>;
  ndSweep(live: string, down: string, events: string, ...args: Array<string | number>): Promise<number>;
  ndMarkDown(live: string, down: string, events: string, ...args: Array<string | number>): Promise<number>;
};

function withScripts(redis: Redis): WithScripts {
  const r = redis as WithScripts;
  if (typeof r.ndBeat !== 'function') {
    redis.defineCommand('ndBeat', { numberOfKeys: 3, lua: BEAT });
    redis.defineCommand('ndSweep', { numberOfKeys: 3, lua: SWEEP });
    redis.defineCommand('ndMarkDown', { numberOfKeys: 3, lua: MARK_DOWN });
  }
  return r;
}

export function eventsKey(prefix: string): string {
  return keys(prefix).livenessEvents();
}

export class LivenessStore {
  readonly live: string;
  readonly down: string;
  readonly events: string;
  private readonly redis: WithScripts;

  constructor(
    redis: Redis,
    prefix: string,
    readonly source: StatusSource = 'push',
  ) {
    this.redis = withScripts(redis);
    this.live = keys(prefix).livenessLive(source);
    this.down = keys(prefix).livenessDown(source);
    this.events = eventsKey(prefix);
  }

  /** Records beats; returns how many nodes came (back) online: first beat, or after being down. */
  async beat(entries: Array<{ nodeId: string; at: number }>, cutoffMs: number): Promise<number> {
    if (entries.length === 0) return 0;
    const args: Array<string | number> = [cutoffMs, this.source];
    for (const e of entries) args.push(e.at, e.nodeId);
    return this.redis.ndBeat(this.live, this.down, this.events, ...args);
  }

  /** Moves nodes silent since `cutoffMs` to down (with an OFFLINE event each). */
  async sweep(cutoffMs: number, limit = 5_000): Promise<number> {
    return this.redis.ndSweep(this.live, this.down, this.events, cutoffMs, limit, this.source);
  }

  async markDown(nodeIds: string[]): Promise<number> {
    if (nodeIds.length === 0) return 0;
    return this.redis.ndMarkDown(this.live, this.down, this.events, this.source, ...nodeIds);
  }

  /** Last seen (ms) and whether the node is down, for the nodes this source knows. */
  async view(nodeIds: string[]): Promise<Map<string, { at: number; down: boolean }>> {
    const out = new Map<string, { at: number; down: boolean }>();
    if (nodeIds.length === 0) return out;
    const [live, down] = await Promise.all([
      this.redis.zmscore(this.live, ...nodeIds),
      this.redis.zmscore(this.down, ...nodeIds),
    ]);
    nodeIds.forEach((id, i) => {
      const l = live[i];
      const d = down[i];
      if (l !== null && l !== undefined) out.set(id, { at: Number(l), down: false });
      else if (d !== null && d !== undefined) out.set(id, { at: Number(d), down: true });
    });
    return out;
  }

  async forget(nodeId: string): Promise<void> {
    await this.redis.multi().zrem(this.live, nodeId).zrem(this.down, nodeId).exec();
  }

  async counts(): Promise<{ live: number; down: number }> {
    const [live, down] = await Promise.all([this.redis.zcard(this.live), this.redis.zcard(this.down)]);
    return { live, down };
  }
}

export function consumerName(): string {
  return `${os.hostname()}:${process.pid}`;
}
