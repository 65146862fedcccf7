// What the network API last said about each node (status and its last_seen), kept so that
// /status can show both views when the network and the heartbeat disagree.
import type { Redis } from 'ioredis';
import { keys } from '../core/keys';

export interface PollView {
  status: 'online' | 'offline';
  lastSeen: number;
}

export class PollViewStore {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = keys(prefix).pollView();
  }

  async write(entries: Array<{ nodeId: string } & PollView>): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.hset(
      this.key,
      Object.fromEntries(entries.map((e) => [e.nodeId, `${e.status} ${e.lastSeen}`])),
    );
  }

  async read(nodeIds: string[]): Promise<Map<string, PollView>> {
    const out = new Map<string, PollView>();
    if (nodeIds.length === 0) return out;
    const values = await this.redis.hmget(this.key, ...nodeIds);
    nodeIds.forEach((id, i) => {
      const [status, seen] = (values[i] ?? '').split(' ');
      if (status === 'online' || status === 'offline') out.set(id, { status, lastSeen: Number(seen) });
    });
    return out;
  }
}
