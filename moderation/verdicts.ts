// A network's own verdicts about nodes (io.net `blocked`, a failed proof-of-work, a low
// Nosana anti-spoof rate), as the network sources report them. Kept in Redis, one hash per
// node (`<network>:<kind>` → when first seen), so a source that re-reports the same verdict
// every poll costs one HSETNX and queues nothing. Lost on a Redis loss, rebuilt by the next
// poll: the detected case itself lives in PostgreSQL.
import type { Redis } from 'ioredis';
import type { VerdictSource } from './evidence';
import type { NetworkVerdictInput } from './ports';
import type { NetworkVerdict } from './signals';

const KINDS: ReadonlySet<string> = new Set(['blocked', 'pow_failed', 'antispoof_low']);

export class VerdictStore implements VerdictSource {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(nodeId: string): string {
    return `${this.prefix}:mod:verdict:${nodeId}`;
  }

  /** Records (or clears) one verdict; true when it changed what we know. */
  async record(v: NetworkVerdictInput): Promise<boolean> {
    const key = this.key(v.nodeId);
    if (v.verdict === 'cleared') {
      const fields = Object.keys(await this.redis.hgetall(key)).filter((f) => f.startsWith(`${v.network}:`));
      return fields.length > 0 && (await this.redis.hdel(key, ...fields)) > 0;
    }
    if (!KINDS.has(v.verdict)) throw new Error(`unknown network verdict: ${String(v.verdict)}`);
    const at = typeof v.at === 'number' ? v.at : v.at.getTime();
    return (await this.redis.hsetnx(key, `${v.network}:${v.verdict}`, String(at))) === 1;
  }

  async verdicts(nodeIds: string[]): Promise<NetworkVerdict[]> {
    if (nodeIds.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of nodeIds) pipe.hgetall(this.key(id));
    const res = (await pipe.exec()) ?? [];
    return nodeIds.flatMap((nodeId, i) => {
      const fields = (res[i]?.[1] ?? {}) as Record<string, string>;
      return Object.keys(fields).flatMap((f) => {
        const cut = f.lastIndexOf(':');
        const kind = f.slice(cut + 1);
        return KINDS.has(kind)
          ? [{ nodeId, network: f.slice(0, cut), kind: kind as NetworkVerdict['kind'] }]
          : [];
      });
    });
  }
}
