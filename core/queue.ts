// Every BullMQ queue of nodedesk, the payload of each job, and the one way to open
// connections, queues and workers (prefix, retries, graceful close, failure logging).
import {
  Queue,
  Worker,
  type ConnectionOptions,
  type JobsOptions,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import IORedis, { type Redis, type RedisOptions } from 'ioredis';
import type { MessageKey } from './i18n';
import type { Logger } from './logger';
import { reconnectDelayMs, RedisConnectionLog, redisWhere } from './redis-watch';
import { scrub, scrubError } from './scrub';

/** Payload of each job, by queue name. Add a queue here and nowhere else. */
export interface JobPayloads {
  /** Outbound chat message to one Telegram chat. */
  'deliver-telegram': OutboundMessage;
  /** Outbound chat message to one Discord user or channel. */
  'deliver-discord': OutboundMessage;
  /** Liveness sweep: find nodes past their grace time (repeatable). */
  'liveness-sweep': { at?: number };
  /** Network API poll: one walk over every page (repeatable). */
  'network-poll': { runId?: string };
  /** Real network sources (io.net, Nosana, Akash): one budgeted round of device visits. */
  'source-ionet': { runId?: string };
  'source-nosana': { runId?: string };
  'source-akash': { runId?: string };
  /** Incident timers: the group wait before the first alert, updates and reminders. */
  'incident-timer': { incidentId: string; kind: 'flush' | 'update' | 'reminder' | 'due' };
  /** NODE_SOURCE=simulator: one tick of simulated heartbeats (repeatable). */
  'simulator-tick': { at?: number };
  /** Assistant: one AI-written answer from the retrieved entries (result: the structured reply or null). */
  'assistant-answer': {
    question: string;
    lang: string;
    entries: Array<{ id: string; lang: string; title: string; updated: string; body: string }>;
    /** Epoch ms after which nobody waits for the answer any more: the worker skips it. */
    deadline: number;
  };
  /** Moderation evidence: gather a case's signals, or scan fresh source data for strong ones. */
  'moderation-evidence':
    | { kind: 'case'; caseId: string }
    | { kind: 'scan'; nodeIds: string[] }
    | { kind: 'heartbeat'; reports: Array<{ nodeId: string; gpus: Array<{ model: string; uuid: string }> }> };
  /** Moderation: bring a case's cards up to date (post once, then edit in place). */
  'moderation-card': { caseId: string };
  /** Support tickets: staff-side threads, relayed messages, notices (ticketing/effects.ts). */
  'ticket-effect': TicketEffectJob;
  /** Support tickets: SLA warnings and breaches, inactivity warning and auto-close (delayed). */
  'ticket-timer': TicketTimerJob;
  /** The dashboard's fleet chart: roll node history up into per-hour counts (repeatable). */
  'fleet-rollup': { at?: number };
  /** Test and maintenance jobs that need a queue of their own. */
  maintenance: { task: string; args?: Record<string, unknown> };
}

export type QueueName = keyof JobPayloads;

export const QUEUE_NAMES = [
  'deliver-telegram',
  'deliver-discord',
  'liveness-sweep',
  'network-poll',
  'source-ionet',
  'source-nosana',
  'source-akash',
  'incident-timer',
  'simulator-tick',
  'assistant-answer',
  'moderation-evidence',
  'moderation-card',
  'ticket-effect',
  'ticket-timer',
  'fleet-rollup',
  'maintenance',
] as const satisfies readonly QueueName[];

export type TicketEffectJob =
  | { op: 'open-home' | 'flush' | 'closed' | 'reopened' | 'card'; ticketId: string }
  | { op: 'edit'; ticketId: string; messageId: string }
  | {
      op: 'notice';
      ticketId: string;
      notice: string;
      side: 'home' | 'user' | 'both';
      params?: Record<string, string | number>;
    };

export interface TicketTimerJob {
  ticketId: string;
  kind:
    | 'sla-first-warn'
    | 'sla-first-breach'
    | 'sla-resolve-warn'
    | 'sla-resolve-breach'
    | 'idle-warn'
    | 'idle-close';
  /** Epoch ms the timer was set for; a job whose due time the ticket no longer holds is stale. */
  dueAt: number;
}

/**
 * A message to deliver to one identity. Content is localized at send time in the
 * recipient's language, so a fallback to another platform speaks that identity's language.
 * `dedupeKey` (plus the platform) is the BullMQ job id: the same message is never queued twice.
 */
export interface OutboundMessage {
  dedupeKey: string;
  userId: string;
  identityId: string;
  content: LocalizedBlock[];
  /** What it is, for metrics and the failure log (offline-alert, recovery, notice, …). */
  kind: string;
  /** Try the user's other platforms when this one says the bot is blocked. */
  fallback: boolean;
  /** Platforms already tried, in order (fallback chain). */
  tried?: string[];
}

/** A parameter; durations are formatted in the recipient's language at send time. */
export type LocalizedParam = string | number | { durationMs: number };
export type LocalizedParams = Record<string, LocalizedParam>;

export type LocalizedBlock =
  | { kind: 'text' | 'title'; key: MessageKey; params?: LocalizedParams }
  | { kind: 'code'; text: string }
  | { kind: 'list'; items: Array<{ key: MessageKey; params?: LocalizedParams }> }
  /** One row of buttons under the message; `id` is a feature's `<feature>:<action>:<arg>` (≤ 64 bytes). */
  | { kind: 'buttons'; buttons: Array<{ id: string; key: MessageKey; params?: LocalizedParams }> };

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000 },
  // Kept for a day so that a job id used again inside that window is still a duplicate.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function redisOptions(forWorker: boolean): RedisOptions {
  return {
    // Workers must never give up on a command: BullMQ requires null here for blocking calls.
    maxRetriesPerRequest: forWorker ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
    retryStrategy: reconnectDelayMs,
  };
}

export function createRedis(url: string, forWorker = false): Redis {
  const redis = new IORedis(url, redisOptions(forWorker));
  // ioredis reconnects by itself; an unhandled 'error' event would crash the process.
  redis.on('error', () => {});
  return redis;
}

export interface QueueContext {
  redisUrl: string;
  prefix: string;
  logger?: Logger;
}

/** How long close() lets a connection finish initializing before closing it anyway. */
const READY_WAIT_MS = 2_000;

/** Opens queues and workers with the shared prefix and tracks them for one orderly close. */
export class QueueHub {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];
  private readonly producerConnection: Redis;
  private closing: Promise<void> | null = null;

  /** One line per change of Redis connection state (core/redis-watch.ts). */
  readonly connectionLog: RedisConnectionLog;

  constructor(private readonly ctx: QueueContext) {
    this.producerConnection = createRedis(ctx.redisUrl, false);
    this.connectionLog = new RedisConnectionLog(ctx.logger, redisWhere(ctx.redisUrl));
    this.connectionLog.watch(this.producerConnection);
  }

  get prefix(): string {
    return this.ctx.prefix;
  }

  get redis(): Redis {
    return this.producerConnection;
  }

  queue<N extends QueueName>(name: N): Queue<JobPayloads[N], unknown, string> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.producerConnection as unknown as ConnectionOptions,
        prefix: this.ctx.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      q.on('error', (err) => {
        if (!this.connectionLog.covers(err)) this.ctx.logger?.warn({ err, queue: name }, 'queue error');
      });
      this.queues.set(name, q);
    }
    return q as unknown as Queue<JobPayloads[N], unknown, string>;
  }

  /** Adds a job; with `jobId`, a job that already exists (waiting, active or kept) is not added again. */
  async add<N extends QueueName>(name: N, data: JobPayloads[N], opts: JobsOptions = {}) {
    // BullMQ's name typing cannot follow a generic queue name; the payload type is checked above.
    return (this.queue(name) as unknown as Queue).add(name, data, opts);
  }

  worker<N extends QueueName>(
    name: N,
    processor: Processor<JobPayloads[N], unknown, string>,
    opts: Omit<WorkerOptions, 'connection' | 'prefix'> & { concurrency?: number } = {},
  ): Worker<JobPayloads[N], unknown, string> {
    // Each worker gets its own connection: blocking reads must not stall producers.
    const connection = createRedis(this.ctx.redisUrl, true);
    this.workerConnections.push(connection);
    // A failure's message and stack are stored in Redis (failedReason, stacktrace), and so is
    // the return value: scrubbed first, the error's class kept for BullMQ's own checks.
    const scrubbed: Processor<JobPayloads[N], unknown, string> = async (job, token) => {
      try {
        const result = await processor(job, token);
        // The return value is stored with the job too (a delivery's refusal text, say).
        return result === undefined ? result : JSON.parse(scrub(JSON.stringify(result)));
      } catch (err) {
        throw scrubError(err);
      }
    };
    const worker = new Worker<JobPayloads[N], unknown, string>(name, scrubbed, {
      ...opts,
      connection: connection as unknown as ConnectionOptions,
      prefix: this.ctx.prefix,
      concurrency: opts.concurrency ?? 1,
    });
    const log = this.ctx.logger;
    worker.on('failed', (job, err) => {
      // A transient failure with attempts left is retried by design: during a platform outage
      // one line per attempt of every queued message would bury the one line that says the
      // platform is unreachable (bots/telegram/reachability.ts). The last attempt still warns.
      const retried =
        /^transient: /.test(err.message) && (job?.attemptsMade ?? 0) < (job?.opts.attempts ?? 1);
      log?.[retried ? 'debug' : 'warn'](
        {
          queue: name,
          jobId: job?.id,
          attempt: job?.attemptsMade,
          err: { message: err.message, name: err.name },
        },
        'job failed',
      );
    });
    worker.on('error', (err) => {
      if (!this.connectionLog.covers(err))
        log?.error({ queue: name, err: { message: err.message } }, 'worker error');
    });
    this.workers.push(worker as unknown as Worker);
    return worker;
  }

  async depths(): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const name of QUEUE_NAMES) {
      out[name] = await this.queue(name).getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'prioritized',
      );
    }
    return out;
  }

  /** Lets active jobs finish (workers first), then closes queues and connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // A queue or worker closed while its connection is still initializing (a stop right
      // after start) has its listeners removed first, and the init's later "Connection is
      // closed." is emitted on it unheard: an unhandled error (taskforcesh/bullmq#3546, seen
      // once in our suite). Each finishes initializing first, bounded: Redis may be down.
      const ready = (p: Promise<unknown>) =>
        Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, READY_WAIT_MS).unref())]);
      await Promise.allSettled([
        ...this.workers.map((w) => ready(w.waitUntilReady())),
        ...[...this.queues.values()].map((q) => ready(q.waitUntilReady())),
      ]);
      await Promise.allSettled(this.workers.map((w) => w.close()));
      await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
      await Promise.allSettled(this.workerConnections.map((c) => c.quit().catch(() => c.disconnect())));
      await this.producerConnection.quit().catch(() => this.producerConnection.disconnect());
    })();
    return this.closing;
  }
}
