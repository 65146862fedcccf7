// The GPUs each node last reported with its heartbeat (model and UUID per card): evidence
// for fake-card reports (one UUID on many nodes, a model that does not match its benchmark).
import type { Redis } from 'ioredis';
import { keys } from '../core/keys';

export interface GpuReport {
  nodeId: string;
  gpus: Array<{ model: string; uuid: string }>;
}

export class GpuInventoryStore {
  readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = keys(prefix).gpus();
  }

  async record(reports: GpuReport[], at = Date.now()): Promise<void> {
    if (reports.length === 0) return;
    await this.redis.hset(
      this.key,
      Object.fromEntries(reports.map((r) => [r.nodeId, JSON.stringify({ at, gpus: r.gpus })])),
    );
  }

  async get(nodeIds: string[]): Promise<Map<string, { at: number; gpus: GpuReport['gpus'] }>> {
    const out = new Map<string, { at: number; gpus: GpuReport['gpus'] }>();
    if (nodeIds.length === 0) return out;
    const values = await this.redis.hmget(this.key, ...nodeIds);
    nodeIds.forEach((id, i) => {
      if (values[i]) out.set(id, JSON.parse(values[i]!));
    });
    return out;
  }
}
