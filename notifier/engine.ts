// The notifier inside the workers role: the sweep (repeatable job), the liveness event
// consumer (transitions → history, incidents), incident timers and flapping upkeep.
import { DeviceNameChallenges } from '../accounts/node-claims';
import { TokenIndex } from '../accounts/token-index';
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Logger } from '../core/logger';
import { createRedis, type QueueHub } from '../core/queue';
import type { DeliveryService } from './delivery/service';
import { applyEvents, settleFlapping, type FlapRules } from './incidents/apply-events';
import { IncidentEffects, type AlertRules } from './incidents/effects';
import { GROUP, LivenessConsumer } from './liveness/consumer';
import { LagMonitor, streamStats } from './liveness/stream-health';
import { PushIngestGuard } from './liveness/ingest-health';
import { ensureGroup, LivenessRecovery, stampProgress } from './liveness/recovery';
import { SourceHealth } from './liveness/source-health';
import { LivenessStore, STREAM_MAXLEN, type LivenessEvent } from './liveness/store';
import { sweep } from './liveness/sweep';
import { NetworkViewStore } from './network-view';
import { buildSources, sourceSettingsFromConfig, tickMs, type SourceSettings } from './sources/build';
import type { NetworkNode } from './sources/poller';
import { runRound } from './sources/runner';
import { SnapshotSink, type VerdictSink } from './sources/sink';
import { DeviceClaimChecker } from './sources/device-claims';
import { detachNode } from './incidents/membership';
import { NETWORKS, type SnapshotSourceName } from './sources/types';
import { simulatorShape, simulatorTick, type SimulatorShape } from './sources/simulator';
import type { StaffNotifier } from './staff';

export interface NotifierRules extends AlertRules, FlapRules {
  graceMs: number;
  /** The snapshot sources on (reference poller, real networks) and their settings. */
  sources: SourceSettings;
  simulator?: boolean;
  /** SIMULATOR_SHAPE parsed (config validated it). */
  simulatorShape?: SimulatorShape;
  sweepEveryMs: number;
  flapStableMs: number;
  claimIdleMs?: number;
  /** A mass silence of push nodes is held as "unknown" this long before alerting. */
  massHoldMs?: number;
  /** Tries before a liveness event that keeps failing is dead-lettered (default 5). */
  maxTries?: number;
  /** Consumer lag (events) that warns staff (default 50,000; at most half the stream cap). */
  lagWarnAt?: number;
}

const DUE_SWEEP_MS = 5_000;

export function rulesFromConfig(config: Config): NotifierRules {
  return {
    graceMs: config.OFFLINE_GRACE_SECONDS * 1000,
    sources: sourceSettingsFromConfig(config),
    simulator: config.NODE_SOURCE.includes('simulator'),
    ...(() => {
      const shape = simulatorShape(config.SIMULATOR_SHAPE);
      return 'error' in shape ? {} : { simulatorShape: shape };
    })(),
    sweepEveryMs: config.SWEEP_INTERVAL_MS,
    groupWaitMs: config.ALERT_GROUP_WAIT_SECONDS * 1000,
    updateIntervalMs: config.ALERT_UPDATE_INTERVAL_SECONDS * 1000,
    reminderAfterMs: config.ALERT_REMINDER_AFTER_SECONDS * 1000,
    reminderEveryMs: config.ALERT_REMINDER_EVERY_SECONDS * 1000,
    threshold: config.FLAP_THRESHOLD,
    windowMs: config.FLAP_WINDOW_SECONDS * 1000,
    flapStableMs: config.FLAP_STABLE_SECONDS * 1000,
    claimIdleMs: config.LIVENESS_CLAIM_IDLE_MS,
    massHoldMs: config.INGEST_HOLD_SECONDS * 1000,
  };
}

export interface NotifierStores {
  push: LivenessStore;
  /** One liveness store per snapshot source (poll and every network). */
  sources: Record<SnapshotSourceName, LivenessStore>;
  health: SourceHealth;
  networkView: NetworkViewStore;
}

/** The notifier's Redis stores; the composition root builds them once and shares them. */
export function notifierStores(hub: Pick<QueueHub, 'redis' | 'prefix'>): NotifierStores {
  const sources = Object.fromEntries(
    (['poll', ...NETWORKS] as const).map((n) => [n, new LivenessStore(hub.redis, hub.prefix, n)]),
  ) as Record<SnapshotSourceName, LivenessStore>;
  return {
    push: new LivenessStore(hub.redis, hub.prefix, 'push'),
    sources,
    health: new SourceHealth(hub.redis, hub.prefix),
    networkView: new NetworkViewStore(hub.redis, hub.prefix),
  };
}

export class NotifierEngine {
  readonly stores: { push: LivenessStore } & Record<SnapshotSourceName, LivenessStore>;
  readonly health: SourceHealth;
  private readonly networkView: NetworkViewStore;
  readonly effects: IncidentEffects;
  private consumer: LivenessConsumer | null = null;
  readonly ingestGuard: PushIngestGuard;
  private recovery: LivenessRecovery | null = null;
  /** Each snapshot source's repeatable round, re-registered when Redis lost them. */
  private readonly sourceSchedules: Array<{
    queue: 'network-poll' | 'source-ionet' | 'source-nosana' | 'source-akash';
    every: number;
  }> = [];
  private readonly consumerRedis;

  constructor(
    private readonly deps: {
      db: Db;
      hub: QueueHub;
      delivery: DeliveryService;
      logger: Logger;
      redisUrl: string;
      rules: NotifierRules;
      staff?: StaffNotifier;
      /** Stores built once by the composition root (cli/compose.ts); built here only when absent. */
      stores?: NotifierStores;
      /** Each poll page's nodes (moderation evidence: GPU UUIDs, ip_hash, benchmarks). */
      onNetworkNodes?: (nodes: NetworkNode[]) => Promise<void>;
      /** Moderation's entry point for the networks' verdicts (io.net `blocked` opens a detected case). */
      verdicts?: VerdictSink;
    },
  ) {
    const { hub } = deps;
    const given = deps.stores ?? notifierStores(hub);
    this.stores = { push: given.push, ...given.sources };
    this.health = given.health;
    this.networkView = given.networkView;
    this.consumerRedis = createRedis(deps.redisUrl, true);
    this.effects = new IncidentEffects(deps.db.pool, hub, deps.delivery, deps.rules, Date.now, async () => {
      const s = await streamStats(hub.redis, this.stores.push.events, GROUP);
      return (s.lag ?? 0) + s.pending > 0;
    });
    this.ingestGuard = new PushIngestGuard(
      hub.redis,
      hub.prefix,
      this.health,
      { graceMs: deps.rules.graceMs, massHoldMs: deps.rules.massHoldMs ?? 600_000 },
      async ({ ok, reason }) =>
        deps.staff?.notify(ok ? 'staff.ingestUp' : 'staff.ingestDown', { reason: reason ?? '' }),
    );
  }

  /** Applies liveness events and queues whatever they cause. */
  async handle(events: LivenessEvent[]): Promise<void> {
    const { rules } = this.deps;
    const res = await applyEvents(this.deps.db.pool, events, rules);
    // Both steps read state, not the events: a batch re-read after a crash still queues them.
    await this.effects.ensureFlappingNotices(res.users, {
      windowMs: rules.windowMs,
      stableMs: rules.flapStableMs,
    });
    await this.effects.ensureForUsers(res.users);
  }

  async sweepOnce(now = Date.now()): Promise<number> {
    // Real networks report "down" themselves (debounced in the sink): only beats time out.
    const n = await sweep(
      [this.stores.push, this.stores.poll],
      this.health,
      this.deps.rules.graceMs,
      now,
      this.ingestGuard,
    );
    await stampProgress(this.deps.hub.redis, this.deps.hub.prefix, 'sweep');
    const settled = await settleFlapping(this.deps.db.pool, this.deps.rules.flapStableMs, new Date(now));
    if (settled.length) await this.effects.ensureForUsers(settled);
    return n;
  }

  /** The repeatable jobs; registered again when Redis comes back without them. */
  async ensureSchedulers(): Promise<void> {
    const { hub, rules } = this.deps;
    await hub
      .queue('liveness-sweep')
      .upsertJobScheduler('sweep', { every: rules.sweepEveryMs }, { name: 'liveness-sweep', data: {} });
    // A safety net for the coalesced timers: a step whose slot job was already running
    // when it became due is picked up by the next run.
    await hub
      .queue('incident-timer')
      .upsertJobScheduler(
        'due-sweep',
        { every: DUE_SWEEP_MS },
        { name: 'incident-timer', data: { incidentId: '', kind: 'due' } },
      );
    for (const { queue, every } of this.sourceSchedules)
      await hub.queue(queue).upsertJobScheduler('round', { every }, { name: queue, data: {} });
    if (rules.simulator) {
      const every = Math.max(1_000, Math.min(15_000, Math.floor(rules.graceMs / 4)));
      await hub
        .queue('simulator-tick')
        .upsertJobScheduler('tick', { every }, { name: 'simulator-tick', data: {} });
    }
  }

  async start(): Promise<void> {
    const { hub, logger, rules } = this.deps;
    hub.worker('liveness-sweep', async () => ({ down: await this.sweepOnce() }), { concurrency: 1 });
    hub.worker(
      'incident-timer',
      async (job) => {
        // 'due' (coalesced, batched) is what ensure() queues; the others are older per-incident jobs.
        if (job.data.kind === 'due') return this.effects.runDue();
        if (job.data.kind === 'reminder') await this.effects.remind(job.data.incidentId);
        else await this.effects.alert(job.data.incidentId);
        return undefined;
      },
      // Short locks: jobs of a killed process are picked up again within seconds.
      { concurrency: 16, lockDuration: 10_000, stalledInterval: 5_000 },
    );
    await this.startSources();
    if (rules.simulator) {
      hub.worker(
        'simulator-tick',
        async () => ({
          up: await simulatorTick(
            this.deps.db.pool,
            this.stores.push,
            rules.graceMs,
            Date.now(),
            rules.simulatorShape,
          ),
        }),
        { concurrency: 1 },
      );
    }
    await this.ensureSchedulers();
    // Rebuilds liveness when Redis is empty (first start, or it lost its data).
    this.recovery = new LivenessRecovery({
      redis: hub.redis,
      prefix: hub.prefix,
      pool: this.deps.db.pool,
      stores: this.stores,
      logger: logger.child({ part: 'liveness-recovery' }),
      schedulers: () => this.ensureSchedulers(),
      rearm: (users) => this.effects.ensureForUsers(users),
      notify: async (nodes) => this.deps.staff?.notify('staff.redisRecovered', { nodes }),
      graceMs: rules.graceMs,
    });
    const consumerLog = logger.child({ part: 'liveness-consumer' });
    const staff = this.deps.staff;
    this.consumer = new LivenessConsumer({
      redis: this.consumerRedis,
      stream: this.stores.push.events,
      handle: (events) => this.handle(events),
      logger: consumerLog,
      ...(rules.maxTries !== undefined ? { maxTries: rules.maxTries } : {}),
      storeHealthy: async () => (await this.deps.db.pool.query('SELECT 1')).rowCount === 1,
      onDeadLetter: async (e, error) =>
        staff?.notify('staff.livenessDeadLetter', {
          node: e.nodeId,
          tries: rules.maxTries ?? 5,
          error: error.slice(0, 200),
        }),
      monitor: new LagMonitor({
        redis: this.consumerRedis,
        stream: this.stores.push.events,
        group: GROUP,
        warnAt: rules.lagWarnAt ?? 50_000,
        cap: STREAM_MAXLEN,
        logger: consumerLog,
        ...(staff ? { staff } : {}),
      }),
      ...(rules.claimIdleMs !== undefined ? { claimIdleMs: rules.claimIdleMs } : {}),
      onProgress: () => stampProgress(hub.redis, hub.prefix, 'consumer'),
      onNoGroup: async () => {
        await ensureGroup(this.consumerRedis, this.stores.push.events);
        await this.recovery?.check();
      },
    });
    // The consumer first: events already in the stream are applied while a first start (or a
    // Redis that lost its data) rebuilds liveness from PostgreSQL (about 8 s per 1M nodes, far
    // longer on a cold or busy database). The sweep is safe meanwhile: it only judges nodes the
    // live set holds, and rebuilt nodes count as seen now.
    await this.consumer.start();
    await this.recovery.start();
  }

  /** One repeatable job per snapshot source (registered by ensureSchedulers); each round feeds the shared sink. */
  private async startSources(): Promise<void> {
    const { hub, logger, rules, db } = this.deps;
    const view = this.networkView;
    const sources = buildSources(rules.sources, {
      pool: db.pool,
      redis: hub.redis,
      prefix: hub.prefix,
      view,
      ...(this.deps.onNetworkNodes ? { onPollNodes: this.deps.onNetworkNodes } : {}),
    });
    // Device-name ownership proofs, checked as each network reports device names.
    const tokens = new TokenIndex(db.prisma, hub.redis, hub.prefix);
    const claims = new DeviceClaimChecker({
      prisma: db.prisma,
      challenges: new DeviceNameChallenges(hub.redis, hub.prefix),
      messenger: this.deps.delivery,
      forgetToken: (hash) => tokens.forget(hash),
      onRowUnlinked: async (nodeId) => {
        await Promise.all(Object.values(this.stores).map((s) => s.forget(nodeId)));
        await detachNode(db.pool, nodeId);
      },
      logger: logger.child({ part: 'device-claims' }),
    });
    for (const source of sources) {
      const sink = new SnapshotSink({
        pool: db.pool,
        redis: hub.redis,
        prefix: hub.prefix,
        store: this.stores[source.name],
        push: this.stores.push,
        view,
        graceMs: rules.graceMs,
        claims,
        ...(this.deps.verdicts ? { verdicts: this.deps.verdicts } : {}),
      });
      const runner = {
        health: this.health,
        sink,
        ...(this.deps.staff ? { staff: this.deps.staff } : {}),
        logger: logger.child({ part: `source-${source.name}` }),
      };
      const queue = source.name === 'poll' ? 'network-poll' : (`source-${source.name}` as const);
      hub.worker(queue, async () => runRound(source, runner), { concurrency: 1 });
      const every = source.name === 'poll' ? rules.sources.everyMs : tickMs(rules.sources.everyMs);
      this.sourceSchedules.push({ queue, every });
    }
  }

  async stop(): Promise<void> {
    this.recovery?.stop();
    await this.consumer?.stop();
    this.consumerRedis.disconnect();
  }
}
