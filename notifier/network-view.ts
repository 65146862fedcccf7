// What a network source last said about each node (its own state word, GPUs, location,
// uptime, earnings, verdicts), kept so /status can show the network's view beside the
// heartbeat's and flag when they disagree. One hash for every snapshot source.
import type { Redis } from 'ioredis';
import { keys } from '../core/keys';
import type { NodeSnapshot, SnapshotSourceName } from './sources/types';

export interface NetworkView extends Omit<NodeSnapshot, 'externalId'> {
  source: SnapshotSourceName;
}

export class NetworkViewStore {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = keys(prefix).networkView();
  }

  async write(
    source: SnapshotSourceName,
    entries: Array<{ nodeId: string; snapshot: NodeSnapshot }>,
  ): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.hset(
      this.key,
      Object.fromEntries(
        entries.map(({ nodeId, snapshot }) => {
          const { externalId: _omit, ...rest } = snapshot;
          return [nodeId, JSON.stringify({ source, ...rest } satisfies NetworkView)];
        }),
      ),
    );
  }

  async read(nodeIds: string[]): Promise<Map<string, NetworkView>> {
    const out = new Map<string, NetworkView>();
    if (nodeIds.length === 0) return out;
    const values = await this.redis.hmget(this.key, ...nodeIds);
    nodeIds.forEach((id, i) => {
      const v = values[i];
      if (!v) return;
      try {
        out.set(id, JSON.parse(v) as NetworkView);
      } catch {
        // An entry from an older format: the next poll rewrites it.
      }
    });
    return out;
  }

  async forget(nodeId: string): Promise<void> {
    await this.redis.hdel(this.key, nodeId);
  }
}
