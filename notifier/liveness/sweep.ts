// The repeatable sweep: every node silent past the grace time goes down (one OFFLINE event
// each), except on a source that is unhealthy, whose nodes stay as they were.
import type { LivenessStore } from './store';
import type { SourceHealth } from './source-health';

export const SWEEP_BATCH = 5_000;

export async function sweep(
  stores: LivenessStore[],
  health: SourceHealth,
  graceMs: number,
  now = Date.now(),
): Promise<number> {
  let total = 0;
  for (const store of stores) {
    if (store.source !== 'push' && !(await health.get(store.source)).ok) continue;
    for (;;) {
      const n = await store.sweep(now - graceMs, SWEEP_BATCH);
      total += n;
      if (n < SWEEP_BATCH) break;
    }
  }
  return total;
}
