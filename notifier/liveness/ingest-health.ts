// Whether heartbeat ingest itself can be trusted, like the poll source's health: when the
// web role is starved or failing, or when a large share of push nodes goes silent in one
// sweep (an expired certificate, a broken proxy, our own outage look exactly like that),
// push nodes are "unknown", not offline, and staff are told once. After ingest is healthy
// again, nodes get one full grace time to beat before anyone is alerted.
//
// Web side: each web process reports every second (accepted and failed beats, requests shed,
// event-loop delay) into one Redis hash. Worker side: the sweep reads it.
import os from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { SourceHealth } from './source-health';
import type { LivenessStore } from './store';

export const reportsKey = (prefix: string) => `${prefix}:ingest:reports`;

export interface IngestReport {
  at: number;
  accepted: number;
  failed: number;
  shed: number;
  /** 99th percentile event-loop delay over the last interval (ms). */
  lagMs: number;
  /** Which process (filled in when read). */
  field?: string;
}

export class IngestReporter {
  private counts = { accepted: 0, failed: 0, shed: 0 };
  /** The last few reports: a sustained problem shows in all of them, a spike in one. */
  private recent: IngestReport[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private readonly field = `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly everyMs = 1_000,
  ) {}

  accepted(n: number) {
    this.counts.accepted += n;
  }
  failed(n: number) {
    this.counts.failed += n;
  }
  shed() {
    this.counts.shed++;
  }

  start() {
    this.histogram.enable();
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.everyMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    const report: IngestReport = {
      at: Date.now(),
      ...this.counts,
      lagMs: Math.round(this.histogram.percentile(99) / 1e6),
    };
    this.counts = { accepted: 0, failed: 0, shed: 0 };
    this.histogram.reset();
    this.recent = [...this.recent.slice(-4), report];
    // Kept an hour: a web role that died stays visible as "not reporting" that long.
    await this.redis
      .multi()
      .hset(reportsKey(this.prefix), this.field, JSON.stringify(this.recent))
      .pexpire(reportsKey(this.prefix), 3_600_000)
      .exec();
  }

  /** A clean stop removes this process from the reports: it is not "silent", it is gone. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.histogram.disable();
    await this.redis.hdel(reportsKey(this.prefix), this.field).catch(() => {});
  }
}

export interface IngestRules {
  graceMs: number;
  /** A report older than this is "not reporting". */
  staleMs?: number;
  /** Event-loop delay (p99) above which a web process counts as starved. */
  maxLagMs?: number;
  /** Fresh reports of one process that must all lag before it counts as starved. */
  minStarvedReports?: number;
  /** Share of live push nodes that may go silent in one sweep before it is held. */
  massShare?: number;
  massMinNodes?: number;
  /** How long a mass silence is held as "unknown" before the nodes are declared offline. */
  massHoldMs: number;
  /** Requests refused (429) across fresh reports beyond which ingest is in doubt. */
  maxShed?: number;
}

export type IngestVerdict = { ok: true } | { ok: false; reason: string };

/** What the web processes' reports say about ingest right now. */
export async function readIngestVerdict(
  redis: Redis,
  prefix: string,
  rules: IngestRules,
  now = Date.now(),
): Promise<IngestVerdict & { reporting: boolean }> {
  const raw = await redis.hgetall(reportsKey(prefix));
  // Nobody reports (no web role, beats written by a simulator or a test): nothing to judge.
  if (Object.keys(raw).length === 0) return { ok: true, reporting: false };
  const staleMs = rules.staleMs ?? Math.max(5_000, Math.min(30_000, rules.graceMs / 2));
  const fresh = Object.entries(raw)
    .flatMap(([field, v]) => (JSON.parse(v) as IngestReport[]).map((r) => ({ ...r, field })))
    .filter((r) => r.at > now - staleMs);
  if (fresh.length === 0)
    return {
      ok: false,
      reporting: true,
      reason: `no web process reported for ${Math.round(staleMs / 1000)} s`,
    };
  // Starved = every fresh report of some process lags (seconds on end), not one spike: a
  // busy host stalls a process now and then without losing heartbeats.
  const byProcess = new Map<string, number[]>();
  fresh.forEach((r) => byProcess.set(r.field ?? '', [...(byProcess.get(r.field ?? '') ?? []), r.lagMs]));
  const maxLag = rules.maxLagMs ?? 2_000;
  for (const lags of byProcess.values()) {
    const least = Math.min(...lags);
    if (lags.length >= (rules.minStarvedReports ?? 3) && least > maxLag)
      return { ok: false, reporting: true, reason: `web process starved (event-loop delay ≥ ${least} ms)` };
  }
  const failed = fresh.reduce((s, r) => s + r.failed, 0);
  const accepted = fresh.reduce((s, r) => s + r.accepted, 0);
  if (failed >= 10 && failed > accepted)
    return {
      ok: false,
      reporting: true,
      reason: `heartbeat storage failing (${failed} failed, ${accepted} stored)`,
    };
  // Refusing this much means agents may not get through: their silence proves nothing.
  const shed = fresh.reduce((s, r) => s + r.shed, 0);
  if (shed >= (rules.maxShed ?? 100))
    return { ok: false, reporting: true, reason: `heartbeat ingest under load (${shed} requests refused)` };
  return { ok: true, reporting: true };
}

export interface GuardNotice {
  (change: { ok: boolean; reason?: string }): Promise<void>;
}

/**
 * The push source's guard, asked by the sweep before it declares push nodes offline.
 * Returns true to hold this sweep (nodes stay as they are).
 */
export class PushIngestGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly health: SourceHealth,
    private readonly rules: IngestRules,
    private readonly notice?: GuardNotice,
  ) {}

  async hold(store: LivenessStore, now = Date.now()): Promise<boolean> {
    const verdict = await readIngestVerdict(this.redis, this.prefix, this.rules, now);
    const state = await this.health.get('push');
    if (!verdict.ok) {
      await this.mark(false, verdict.reason, now);
      return true;
    }
    const cutoff = now - this.rules.graceMs;
    if (verdict.reporting) {
      const [silent, live] = await Promise.all([
        this.redis.zcount(store.live, '-inf', cutoff),
        this.redis.zcard(store.live),
      ]);
      const massive =
        live >= (this.rules.massMinNodes ?? 20) && silent >= (this.rules.massShare ?? 0.5) * live;
      if (massive) {
        const heldSince = !state.ok && state.error?.startsWith('mass silence') ? state.since : now;
        if (now - heldSince < this.rules.massHoldMs) {
          await this.mark(false, `mass silence: ${silent} of ${live} push nodes silent at once`, now);
          return true;
        }
        // Held long enough: it is real. Declare them offline now (staff hear the all-clear).
        await this.mark(true, undefined, now - this.rules.graceMs);
        return false;
      }
    }
    if (!state.ok) {
      // Healthy again: nodes whose beats were lost get one grace time to beat before alerts.
      await this.mark(true, undefined, now);
      return true;
    }
    return state.since > 0 && now < state.since + this.rules.graceMs;
  }

  private async mark(ok: boolean, reason: string | undefined, since: number): Promise<void> {
    const changed = await this.health.set('push', ok, reason, since);
    if (changed) await this.notice?.({ ok, ...(reason ? { reason } : {}) }).catch(() => {});
  }
}
