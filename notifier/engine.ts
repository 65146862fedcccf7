// The notifier inside the workers role: the sweep (repeatable job), the liveness event
// consumer (transitions → history, incidents), incident timers and flapping upkeep.
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Logger } from '../core/logger';
import { createRedis, type QueueHub } from '../core/queue';
import type { DeliveryService } from './delivery/service';
import { applyEvents, settleFlapping, type FlapRules } from './incidents/apply-events';
import { IncidentEffects, type AlertRules } from './incidents/effects';
import { LivenessConsumer } from './liveness/consumer';
import { SourceHealth } from './liveness/source-health';
import { LivenessStore, type LivenessEvent } from './liveness/store';
import { sweep } from './liveness/sweep';
import { PollViewStore } from './poll-view';
import { pollOnce } from './sources/poller';
import { simulatorTick } from './sources/simulator';
import type { StaffNotifier } from './staff';

export interface NotifierRules extends AlertRules, FlapRules {
  graceMs: number;
  /** Network API base when the poll source is on. */
  pollUrl?: string;
  pollEveryMs: number;
  simulator?: boolean;
  sweepEveryMs: number;
  flapStableMs: number;
  claimIdleMs?: number;
}

export function rulesFromConfig(config: Config): NotifierRules {
  return {
    graceMs: config.OFFLINE_GRACE_SECONDS * 1000,
    ...(config.NODE_SOURCE.includes('poll') && config.NODE_SOURCE_URL
      ? { pollUrl: config.NODE_SOURCE_URL }
      : {}),
    pollEveryMs: config.POLL_INTERVAL_SECONDS * 1000,
    simulator: config.NODE_SOURCE.includes('simulator'),
    sweepEveryMs: config.SWEEP_INTERVAL_MS,
    groupWaitMs: config.ALERT_GROUP_WAIT_SECONDS * 1000,
    updateIntervalMs: config.ALERT_UPDATE_INTERVAL_SECONDS * 1000,
    reminderAfterMs: config.ALERT_REMINDER_AFTER_SECONDS * 1000,
    reminderEveryMs: config.ALERT_REMINDER_EVERY_SECONDS * 1000,
    threshold: config.FLAP_THRESHOLD,
    windowMs: config.FLAP_WINDOW_SECONDS * 1000,
    flapStableMs: config.FLAP_STABLE_SECONDS * 1000,
    claimIdleMs: config.LIVENESS_CLAIM_IDLE_MS,
  };
}

export interface NotifierStores {
  push: LivenessStore;
  poll: LivenessStore;
  health: SourceHealth;
  pollView: PollViewStore;
}

/** The notifier's Redis stores; the composition root builds them once and shares them. */
export function notifierStores(hub: Pick<QueueHub, 'redis' | 'prefix'>): NotifierStores {
  return {
    push: new LivenessStore(hub.redis, hub.prefix, 'push'),
    poll: new LivenessStore(hub.redis, hub.prefix, 'poll'),
    health: new SourceHealth(hub.redis, hub.prefix),
    pollView: new PollViewStore(hub.redis, hub.prefix),
  };
}

export class NotifierEngine {
  readonly stores: { push: LivenessStore; poll: LivenessStore };
  readonly health: SourceHealth;
  readonly effects: IncidentEffects;
  private readonly pollView: PollViewStore;
  private consumer: LivenessConsumer | null = null;
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
    },
  ) {
    const { hub } = deps;
    const given = deps.stores ?? notifierStores(hub);
    this.stores = { push: given.push, poll: given.poll };
    this.health = given.health;
    this.pollView = given.pollView;
    this.effects = new IncidentEffects(deps.db.pool, hub, deps.delivery, deps.rules);
    this.consumerRedis = createRedis(deps.redisUrl, true);
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
    const n = await sweep([this.stores.push, this.stores.poll], this.health, this.deps.rules.graceMs, now);
    const settled = await settleFlapping(this.deps.db.pool, this.deps.rules.flapStableMs, new Date(now));
    if (settled.length) await this.effects.ensureForUsers(settled);
    return n;
  }

  async start(): Promise<void> {
    const { hub, logger, rules } = this.deps;
    hub.worker('liveness-sweep', async () => ({ down: await this.sweepOnce() }), { concurrency: 1 });
    await hub
      .queue('liveness-sweep')
      .upsertJobScheduler('sweep', { every: rules.sweepEveryMs }, { name: 'liveness-sweep', data: {} });
    hub.worker(
      'incident-timer',
      async (job) => {
        if (job.data.kind === 'reminder') await this.effects.remind(job.data.incidentId);
        else await this.effects.alert(job.data.incidentId);
      },
      // Short locks: jobs of a killed process are picked up again within seconds.
      { concurrency: 16, lockDuration: 10_000, stalledInterval: 5_000 },
    );
    if (rules.pollUrl) {
      const pollUrl = rules.pollUrl;
      hub.worker(
        'network-poll',
        async () =>
          pollOnce({
            baseUrl: pollUrl,
            pool: this.deps.db.pool,
            store: this.stores.poll,
            view: this.pollView,
            health: this.health,
            ...(this.deps.staff ? { staff: this.deps.staff } : {}),
            logger: logger.child({ part: 'poller' }),
            graceMs: rules.graceMs,
            // A failing API must be noticed well inside the grace time.
            timeoutMs: Math.min(10_000, Math.max(500, rules.graceMs / 4)),
          }),
        { concurrency: 1 },
      );
      await hub
        .queue('network-poll')
        .upsertJobScheduler('poll', { every: rules.pollEveryMs }, { name: 'network-poll', data: {} });
    }
    if (rules.simulator) {
      hub.worker(
        'simulator-tick',
        async () => ({ up: await simulatorTick(this.deps.db.pool, this.stores.push, rules.graceMs) }),
        { concurrency: 1 },
      );
      const every = Math.max(1_000, Math.min(15_000, Math.floor(rules.graceMs / 4)));
      await hub
        .queue('simulator-tick')
        .upsertJobScheduler('tick', { every }, { name: 'simulator-tick', data: {} });
    }
    this.consumer = new LivenessConsumer({
      redis: this.consumerRedis,
      stream: this.stores.push.events,
      handle: (events) => this.handle(events),
      logger: logger.child({ part: 'liveness-consumer' }),
      ...(rules.claimIdleMs !== undefined ? { claimIdleMs: rules.claimIdleMs } : {}),
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumerRedis.disconnect();
  }
}
