// The notifier inside the workers role: the sweep (repeatable job), the liveness event
// consumer (transitions → history, incidents), incident timers and flapping upkeep.
import { createRedis } from '../core/queue';
import { notifierStores, type NotifierEngineDeps, type SourceSchedule } from './engine-setup';
import { startSources } from './engine-sources';
import { settleFlapping, applyEvents } from './incidents/apply-events';
import { IncidentEffects } from './incidents/effects';
import { GROUP, LivenessConsumer } from './liveness/consumer';
import { LagMonitor, streamStats } from './liveness/stream-health';
import { PushIngestGuard } from './liveness/ingest-health';
import { ensureGroup, LivenessRecovery, stampProgress } from './liveness/recovery';
import type { SourceHealth } from './liveness/source-health';
import { STREAM_MAXLEN, type LivenessEvent, type LivenessStore } from './liveness/store';
import { sweep } from './liveness/sweep';
import type { NetworkViewStore } from './network-view';
import type { SnapshotSourceName } from './sources/types';
import { simulatorTick } from './sources/simulator';

export {
  notifierStores,
  rulesFromConfig,
  type NotifierEngineDeps,
  type NotifierRules,
  type NotifierStores,
} from './engine-setup';

const DUE_SWEEP_MS = 5_000;

export class NotifierEngine {
  readonly stores: { push: LivenessStore } & Record<SnapshotSourceName, LivenessStore>;
  readonly health: SourceHealth;
  private readonly networkView: NetworkViewStore;
  readonly effects: IncidentEffects;
  private consumer: LivenessConsumer | null = null;
  readonly ingestGuard: PushIngestGuard;
  private recovery: LivenessRecovery | null = null;
  /** Each snapshot source's repeatable round, re-registered when Redis lost them. */
  private readonly sourceSchedules: SourceSchedule[] = [];
  private readonly consumerRedis;

  constructor(private readonly deps: NotifierEngineDeps) {
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
    await startSources(this.deps, {
      stores: this.stores,
      health: this.health,
      networkView: this.networkView,
      schedules: this.sourceSchedules,
    });
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

  async stop(): Promise<void> {
    this.recovery?.stop();
    await this.consumer?.stop();
    this.consumerRedis.disconnect();
  }
}
