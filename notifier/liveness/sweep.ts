// The repeatable sweep: every node silent past the grace time goes down (one OFFLINE event
// each), except on a source that is unhealthy, whose nodes stay as they were: a network
// source whose API fails, or the push source when heartbeat ingest itself is in doubt.
import type { LivenessStore } from './store';
import type { SourceHealth } from './source-health';

export const SWEEP_BATCH = 10_000;

/** Asked before push nodes are declared offline; true holds them ("unknown"). */
export interface PushGuard {
  hold(store: LivenessStore, now: number): Promise<boolean>;
}

export async function sweep(
  stores: LivenessStore[],
  health: SourceHealth,
  graceMs: number,
  now = Date.now(),
  pushGuard?: PushGuard,
): Promise<number> {
  let total = 0;
  for (const store of stores) {
    if (store.source !== 'push' && !(await health.get(store.source)).ok) continue;
    if (store.source === 'push' && pushGuard && (await pushGuard.hold(store, now))) continue;
    for (;;) {
      const n = await store.sweep(now - graceMs, SWEEP_BATCH);
      total += n;
      if (n < SWEEP_BATCH) break;
    }
  }
  return total;
}
