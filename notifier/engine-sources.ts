// The snapshot sources' workers (reference poller, real networks): each round feeds a shared
// sink, with device-name claims checked as networks report names. Started by the engine.
import { DeviceNameChallenges } from '../accounts/node-claims';
import { TokenIndex } from '../accounts/token-index';
import type { NotifierEngineDeps, SourceSchedule } from './engine-setup';
import { detachNode } from './incidents/membership';
import type { SourceHealth } from './liveness/source-health';
import type { LivenessStore } from './liveness/store';
import type { NetworkViewStore } from './network-view';
import { buildSources, tickMs } from './sources/build';
import { DeviceClaimChecker } from './sources/device-claims';
import { runRound } from './sources/runner';
import { SnapshotSink } from './sources/sink';
import type { SnapshotSourceName } from './sources/types';

/** One repeatable job per snapshot source (registered by ensureSchedulers); each round feeds the shared sink. */
export async function startSources(
  deps: NotifierEngineDeps,
  parts: {
    stores: { push: LivenessStore } & Record<SnapshotSourceName, LivenessStore>;
    health: SourceHealth;
    networkView: NetworkViewStore;
    schedules: SourceSchedule[];
  },
): Promise<void> {
  const { hub, logger, rules, db } = deps;
  const view = parts.networkView;
  const sources = buildSources(rules.sources, {
    pool: db.pool,
    redis: hub.redis,
    prefix: hub.prefix,
    view,
    ...(deps.onNetworkNodes ? { onPollNodes: deps.onNetworkNodes } : {}),
  });
  // Device-name ownership proofs, checked as each network reports device names.
  const tokens = new TokenIndex(db.prisma, hub.redis, hub.prefix);
  const claims = new DeviceClaimChecker({
    prisma: db.prisma,
    challenges: new DeviceNameChallenges(hub.redis, hub.prefix),
    messenger: deps.delivery,
    forgetToken: (hash) => tokens.forget(hash),
    onRowUnlinked: async (nodeId) => {
      await Promise.all(Object.values(parts.stores).map((s) => s.forget(nodeId)));
      await detachNode(db.pool, nodeId);
    },
    logger: logger.child({ part: 'device-claims' }),
  });
  for (const source of sources) {
    const sink = new SnapshotSink({
      pool: db.pool,
      redis: hub.redis,
      prefix: hub.prefix,
      store: parts.stores[source.name],
      push: parts.stores.push,
      view,
      graceMs: rules.graceMs,
      claims,
      ...(deps.verdicts ? { verdicts: deps.verdicts } : {}),
    });
    const runner = {
      health: parts.health,
      sink,
      ...(deps.staff ? { staff: deps.staff } : {}),
      logger: logger.child({ part: `source-${source.name}` }),
    };
    const queue = source.name === 'poll' ? 'network-poll' : (`source-${source.name}` as const);
    hub.worker(queue, async () => runRound(source, runner), { concurrency: 1 });
    const every = source.name === 'poll' ? rules.sources.everyMs : tickMs(rules.sources.everyMs);
    parts.schedules.push({ queue, every });
  }
}
