// The emulated network's node table, paged by insertion order.
//
// Why insertion order: a cursor that says "after the N-th inserted node" stays valid while
// nodes are added (they get later sequence numbers and show up at the end of the walk),
// updated (they keep their number) or removed (the walk skips them), so a poller that
// walks all pages sees every node exactly once, which is the property the poller needs.
import { Prng } from './prng';
import type { NetworkNode, NodeStatus } from './types';
import { findGpuModel } from './gpu-models';

interface Entry {
  seq: number;
  node: NetworkNode;
}

export class InvalidCursorError extends Error {}

/** Opaque to clients (base64url JSON), so the paging scheme can change without breaking them. */
export function encodeCursor(afterSeq: number): string {
  return Buffer.from(JSON.stringify({ v: 1, after: afterSeq })).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      v?: unknown;
      after?: unknown;
    };
    if (
      parsed.v === 1 &&
      typeof parsed.after === 'number' &&
      Number.isInteger(parsed.after) &&
      parsed.after >= 0
    ) {
      return parsed.after;
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}

const clone = (n: NetworkNode): NetworkNode => ({ ...n, gpu_uuids: [...n.gpu_uuids] });

/** Plausible values for fields a test did not give, derived from the id so they are stable. */
function defaultsFor(id: string, now: Date): NetworkNode {
  const rng = new Prng(`node:${id}`);
  const model = 'NVIDIA GeForce RTX 4090';
  return {
    id,
    status: 'online',
    last_seen: now.toISOString(),
    owner_wallet: `wallet-${rng.hex(8)}`,
    gpu_model: model,
    gpu_count: 1,
    gpu_uuids: [`GPU-${rng.uuid()}`],
    ip_hash: rng.hex(64),
    benchmark_tflops: Math.round(findGpuModel(model)!.fp32 * 9) / 10,
  };
}

export class NodeStore {
  private readonly ordered: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private lastSeq = 0;

  upsert(given: Partial<NetworkNode> & { id: string }, now = new Date()): NetworkNode {
    // `{ status: undefined }` means "not given", not "erase the status".
    const partial = Object.fromEntries(
      Object.entries(given).filter(([, v]) => v !== undefined),
    ) as typeof given;
    const existing = this.byId.get(partial.id);
    if (existing) {
      existing.node = {
        ...existing.node,
        ...partial,
        gpu_uuids: [...(partial.gpu_uuids ?? existing.node.gpu_uuids)],
      };
      return clone(existing.node);
    }
    const node = { ...defaultsFor(partial.id, now), ...partial };
    if (partial.gpu_count !== undefined && partial.gpu_uuids === undefined) {
      const rng = new Prng(`gpus:${partial.id}`);
      node.gpu_uuids = Array.from({ length: partial.gpu_count }, () => `GPU-${rng.uuid()}`);
    }
    const entry = { seq: ++this.lastSeq, node: clone(node) };
    this.ordered.push(entry);
    this.byId.set(node.id, entry);
    return clone(entry.node);
  }

  setStatus(id: string, status: NodeStatus, lastSeen: Date | undefined, now = new Date()): NetworkNode {
    const entry = this.byId.get(id);
    if (!entry) throw new Error(`no node with id ${id}`);
    entry.node.status = status;
    // Going online means it was just heard from; going offline keeps the last time it was.
    if (lastSeen) entry.node.last_seen = lastSeen.toISOString();
    else if (status === 'online') entry.node.last_seen = now.toISOString();
    return clone(entry.node);
  }

  remove(id: string): boolean {
    const entry = this.byId.get(id);
    if (!entry) return false;
    this.byId.delete(id);
    this.ordered.splice(this.indexAfter(entry.seq - 1), 1);
    return true;
  }

  get(id: string): NetworkNode | undefined {
    const entry = this.byId.get(id);
    return entry && clone(entry.node);
  }

  all(): NetworkNode[] {
    return this.ordered.map((e) => clone(e.node));
  }

  get size(): number {
    return this.ordered.length;
  }

  /** Up to `limit` nodes inserted after `afterSeq`; `nextAfter` is null on the last page. */
  page(afterSeq: number, limit: number): { nodes: NetworkNode[]; nextAfter: number | null } {
    const start = this.indexAfter(afterSeq);
    const slice = this.ordered.slice(start, start + limit);
    const more = start + limit < this.ordered.length;
    return { nodes: slice.map((e) => clone(e.node)), nextAfter: more ? slice[slice.length - 1]!.seq : null };
  }

  /** Index of the first entry with seq > afterSeq (binary search; entries are in seq order). */
  private indexAfter(afterSeq: number): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ordered[mid]!.seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
