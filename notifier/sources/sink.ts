// Turns snapshots into liveness, the same way for every source: "up" is a beat in the
// source's atomic store (a recovery shows at the first up); "down" goes down only after it
// has persisted for the grace time AND at least two consecutive polls (network APIs lag:
// io.net's summary can say `down` for minutes after a relaunch); maintenance and other
// states change nothing. Nodes whose heartbeat agent reports are judged by their beats;
// the network view is still stored and shown beside. Verdicts are recorded as signals.
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { keys } from '../../core/keys';
import type { LivenessStore } from '../liveness/store';
import type { NetworkView, NetworkViewStore } from '../network-view';
import type { NodeSnapshot, SignalKind, SnapshotSourceName } from './types';

/** A Nosana anti-spoof pass rate below this is recorded as a signal. */
export const ANTISPOOF_SIGNAL_BELOW = 0.8;
export const MIN_DOWN_POLLS = 2;

export interface SinkDeps {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  /** The source's own liveness store. */
  store: LivenessStore;
  /** Heartbeat liveness: a node present there has an agent that reports. */
  push: LivenessStore;
  view: NetworkViewStore;
  graceMs: number;
  /** Moderation's entry point for the network's own verdicts (moderation/ports.ts NetworkVerdictSink). */
  verdicts?: VerdictSink;
  /** Ownership challenges carried in device names (io.net), checked as names arrive. */
  claims?: { check(source: SnapshotSourceName, snapshots: NodeSnapshot[], now: number): Promise<unknown> };
}

/** What moderation takes (structurally moderation/ports.ts `NetworkVerdictSink`). */
export interface VerdictSink {
  recordNetworkVerdict(v: {
    nodeId: string;
    network: string;
    verdict: SignalKind | 'cleared';
    at: Date | number;
  }): Promise<void>;
}

export interface SinkResult {
  up: number;
  down: number;
  pending: number;
  signals: number;
}

function signalsOf(s: NodeSnapshot): Array<{ kind: SignalKind; details: Record<string, unknown> }> {
  const out: Array<{ kind: SignalKind; details: Record<string, unknown> }> = [];
  if (s.verdicts.blocked) out.push({ kind: 'blocked', details: { state: s.rawState } });
  if (s.verdicts.powFailed) out.push({ kind: 'pow_failed', details: {} });
  const rate = s.verdicts.antiSpoofRate;
  if (typeof rate === 'number' && rate < ANTISPOOF_SIGNAL_BELOW)
    out.push({ kind: 'antispoof_low', details: { rate } });
  return out;
}

export class SnapshotSink {
  constructor(private readonly deps: SinkDeps) {}

  private debounceKey(source: SnapshotSourceName) {
    return keys(this.deps.prefix).netsrcDebounce(source);
  }

  async apply(
    source: SnapshotSourceName,
    entries: Array<{ nodeId: string; snapshot: NodeSnapshot }>,
    now: number,
  ): Promise<SinkResult> {
    const res: SinkResult = { up: 0, down: 0, pending: 0, signals: 0 };
    if (entries.length === 0) return res;
    const { store, push, view, graceMs, redis } = this.deps;
    const before =
      this.deps.verdicts && source !== 'poll' ? await view.read(entries.map((e) => e.nodeId)) : null;
    await view.write(source, entries);
    if (before) await this.forwardVerdicts(source, entries, before, now);
    if (source !== 'poll') await this.recordAttributes(entries);
    res.signals = await this.recordSignals(source, entries, now);
    await this.deps.claims?.check(
      source,
      entries.map((e) => e.snapshot),
      now,
    );

    const agents = await push.view(entries.map((e) => e.nodeId));
    const key = this.debounceKey(source);
    const beats: Array<{ nodeId: string; at: number }> = [];
    const downs: string[] = [];
    const clear: string[] = [];
    for (const { nodeId, snapshot: s } of entries) {
      if (agents.has(nodeId)) continue;
      if (s.liveness === 'online') {
        beats.push({ nodeId, at: Math.min(s.lastSeen ?? s.observedAt, now) });
        clear.push(nodeId);
      } else if (s.liveness === 'offline') {
        const prev = await redis.hget(key, nodeId);
        const [first, polls] = prev ? prev.split(' ').map(Number) : [s.observedAt, 0];
        // The network may tell when it last heard from the node: the down began then.
        const since = Math.min(first!, s.lastSeen ?? first!);
        const count = polls! + 1;
        await redis.hset(key, nodeId, `${since} ${count}`);
        if (count >= MIN_DOWN_POLLS && now - since >= graceMs) downs.push(nodeId);
        else res.pending++;
      } else {
        clear.push(nodeId);
      }
    }
    if (clear.length) await redis.hdel(key, ...clear);
    res.up = await store.beat(beats, now - graceMs);
    res.down = await store.markDown(downs);
    return res;
  }

  /**
   * Tells moderation the network's verdicts, once per device (its rows share a snapshot):
   * every current verdict each poll (repeats are free there; this rebuilds its store after a
   * Redis loss), and "cleared" first when a verdict the device had is gone.
   */
  private async forwardVerdicts(
    source: SnapshotSourceName,
    entries: Array<{ nodeId: string; snapshot: NodeSnapshot }>,
    before: Map<string, NetworkView>,
    now: number,
  ): Promise<void> {
    const seen = new Set<string>();
    for (const { nodeId, snapshot } of entries) {
      if (seen.has(snapshot.externalId)) continue;
      seen.add(snapshot.externalId);
      const nowKinds = signalsOf(snapshot).map((s) => s.kind);
      const prev = before.get(nodeId);
      const prevKinds = prev
        ? signalsOf({ ...prev, externalId: snapshot.externalId }).map((s) => s.kind)
        : [];
      const send = (verdict: SignalKind | 'cleared') =>
        this.deps.verdicts!.recordNetworkVerdict({
          nodeId: snapshot.externalId,
          network: source,
          verdict,
          at: now,
        });
      if (prevKinds.some((k) => !nowKinds.includes(k))) await send('cleared');
      for (const k of nowKinds) await send(k);
    }
  }

  /** Pending downs are void after an outage: the next downs start counting afresh. */
  async resetDebounce(source: SnapshotSourceName): Promise<void> {
    await this.deps.redis.del(this.debounceKey(source));
  }

  private async recordAttributes(entries: Array<{ nodeId: string; snapshot: NodeSnapshot }>) {
    const withHw = entries.filter((e) => e.snapshot.gpuModel || e.snapshot.gpuCount != null);
    if (withHw.length === 0) return;
    await this.deps.pool.query(
      `UPDATE nodes n SET gpu_model = COALESCE(u.m, n.gpu_model), gpu_count = COALESCE(u.c, n.gpu_count), updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::int[]) AS u(id, m, c)
        WHERE n.id = u.id AND (n.gpu_model IS DISTINCT FROM COALESCE(u.m, n.gpu_model)
                            OR n.gpu_count IS DISTINCT FROM COALESCE(u.c, n.gpu_count))`,
      [
        withHw.map((e) => e.nodeId),
        withHw.map((e) => e.snapshot.gpuModel?.slice(0, 128) ?? null),
        withHw.map((e) => e.snapshot.gpuCount ?? null),
      ],
    );
  }

  private async recordSignals(
    source: SnapshotSourceName,
    entries: Array<{ nodeId: string; snapshot: NodeSnapshot }>,
    now: number,
  ): Promise<number> {
    const rows = entries.flatMap((e) => signalsOf(e.snapshot).map((s) => ({ nodeId: e.nodeId, ...s })));
    if (rows.length === 0) return 0;
    const { rowCount } = await this.deps.pool.query(
      `INSERT INTO node_signals (node_id, network, kind, details, first_seen_at, last_seen_at)
       SELECT u.id, $4, u.k, u.d::jsonb, $5, $5 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, k, d)
       ON CONFLICT (node_id, kind) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, details = EXCLUDED.details`,
      [
        rows.map((r) => r.nodeId),
        rows.map((r) => r.kind),
        rows.map((r) => JSON.stringify(r.details)),
        source,
        new Date(now),
      ],
    );
    return rowCount ?? 0;
  }
}
