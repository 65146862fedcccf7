// Runs one round of any snapshot source and keeps its health: when the API fails, the
// source's nodes are "unknown" (the sweep skips them, nothing is marked down) and staff get
// one notice; one all-clear when it answers again. A 401 says "token" in that one notice,
// not on every poll.
import { formatTime } from '../../core/i18n/format';
import type { Logger } from '../../core/logger';
import type { SourceHealth } from '../liveness/source-health';
import type { StaffNotifier } from '../staff';
import type { SnapshotSink, SinkResult } from './sink';
import type { SnapshotSource, SourceRound } from './types';

export interface RoundResult extends SinkResult {
  ok: boolean;
  observed: number;
  error?: string;
}

export interface RunnerDeps {
  health: SourceHealth;
  sink: SnapshotSink;
  staff?: StaffNotifier;
  logger: Logger;
}

export async function runRound(
  source: SnapshotSource,
  deps: RunnerDeps,
  now: () => number = Date.now,
): Promise<RoundResult> {
  const round: SourceRound = await source.round(now()).catch((err: Error) => ({
    ok: false as const,
    error: err.message.slice(0, 200),
    snapshots: [],
  }));
  const watched = await source.resolve(round.snapshots.map((s) => s.externalId));
  // One snapshot per device; every row watching it (its owner's, each watcher's) gets it.
  const byExternal = new Map<string, string[]>();
  for (const w of watched) byExternal.set(w.externalId, [...(byExternal.get(w.externalId) ?? []), w.id]);
  const entries = round.snapshots.flatMap((snapshot) =>
    (byExternal.get(snapshot.externalId) ?? []).map((nodeId) => ({ nodeId, snapshot })),
  );
  const applied = await deps.sink.apply(source.name, entries, now());
  const result: RoundResult = { ...applied, ok: round.ok, observed: entries.length };
  if (!round.ok) {
    result.error = round.error;
    if (await deps.health.set(source.name, false, round.error, now())) {
      await deps.sink.resetDebounce(source.name);
      deps.logger.warn(
        { source: source.name, error: round.error },
        'network API failing: its nodes are unknown',
      );
      await deps.staff?.notify(round.unauthorized ? 'staff.sourceUnauthorized' : 'staff.sourceDown', {
        source: source.label,
        since: formatTime(new Date(now())),
        error: round.error,
      });
    }
    return result;
  }
  if (round.idle) return result;
  if (await deps.health.set(source.name, true, undefined, now())) {
    deps.logger.info({ source: source.name }, 'network API answers again');
    await deps.staff?.notify('staff.sourceUp', { source: source.label });
  }
  return result;
}
