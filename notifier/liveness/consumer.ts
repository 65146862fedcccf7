// Reads liveness events from the Redis stream with a consumer group: every event is handled
// by one worker process, acknowledged only after its effects are committed, and claimed by
// another process when its consumer died (kill -9) before acknowledging.
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger';
import { consumerName, type LivenessEvent, type StatusSource } from './store';
import { deadLetterKey, type LagMonitor } from './stream-health';

export const GROUP = 'notifier';

function parse(entries: Array<[string, string[] | null]>): LivenessEvent[] {
  const out: LivenessEvent[] = [];
  for (const [id, fields] of entries) {
    // Redis 6.2 answers XAUTOCLAIM with null fields for entries trimmed meanwhile.
    if (!fields) continue;
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    if (!f.n || (f.t !== 'ONLINE' && f.t !== 'OFFLINE')) continue;
    out.push({ id, nodeId: f.n, to: f.t, at: Number(f.a), source: (f.s as StatusSource) ?? 'push' });
  }
  return out;
}

export interface ConsumerOptions {
  redis: Redis;
  stream: string;
  handle: (events: LivenessEvent[]) => Promise<void>;
  logger: Logger;
  batch?: number;
  /** A pending event untouched this long belongs to a dead consumer and is taken over. */
  claimIdleMs?: number;
  blockMs?: number;
  /** Tries before an event that keeps failing goes to the dead-letter stream. */
  maxTries?: number;
  /** Whether the store is reachable: a failure while it is not is an outage, not a poison event. */
  storeHealthy?: () => Promise<boolean>;
  /** Checked every few seconds: warns when the group falls behind. */
  monitor?: LagMonitor;
  /** Called once per event moved to the dead-letter stream (staff notice, metric). */
  onDeadLetter?: (event: LivenessEvent, error: string) => Promise<void>;
  /** Called after each read round without error: pipeline progress, for /healthz. */
  onProgress?: () => Promise<void>;
  /** Called when the group is gone (Redis restarted empty), to recreate it. */
  onNoGroup?: () => Promise<void>;
}

const DEFAULT_MAX_TRIES = 5;
export const DEFAULT_BATCH = 10_000;

export class LivenessConsumer {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly name = consumerName();

  constructor(private readonly opts: ConsumerOptions) {}

  async start(): Promise<void> {
    try {
      await this.opts.redis.xgroup('CREATE', this.opts.stream, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    // The blocking read returns within blockMs; the batch in hand finishes first.
    await this.loop;
  }

  private async run(): Promise<void> {
    const { redis, stream } = this.opts;
    // One set-based transaction per batch: a mass outage of 10,000 nodes is one batch, not
    // ten (each batch costs a fixed ~10 statements, whatever its size).
    const batch = this.opts.batch ?? DEFAULT_BATCH;
    let lastClaim = 0;
    let lastCheck = 0;
    let backlog = false;
    while (this.running) {
      try {
        if (this.opts.monitor && Date.now() - lastCheck > 5_000) {
          lastCheck = Date.now();
          await this.opts.monitor.check();
        }
        if (Date.now() - lastClaim > 2_000) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(
            stream,
            GROUP,
            this.name,
            this.opts.claimIdleMs ?? 10_000,
            '0-0',
            'COUNT',
            batch,
          )) as [string, Array<[string, string[]]>];
          const events = parse(claimed[1] ?? []);
          if (events.length)
            await this.process(
              events,
              claimed[1].map((e) => e[0]),
            );
          // A full batch: a dead consumer left a backlog; take the next part at once, not in 2 s.
          backlog = (claimed[1]?.length ?? 0) >= batch;
          if (backlog) lastClaim = 0;
        }
        const res = (await redis.xreadgroup(
          'GROUP',
          GROUP,
          this.name,
          'COUNT',
          batch,
          'BLOCK',
          // With a claimed backlog, new events are read without waiting for any.
          backlog ? 1 : (this.opts.blockMs ?? 1_000),
          'STREAMS',
          stream,
          '>',
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const entries = res?.[0]?.[1] ?? [];
        if (entries.length)
          await this.process(
            parse(entries),
            entries.map((e) => e[0]),
          );
        await this.opts.onProgress?.();
      } catch (err) {
        if (!this.running) break;
        if (this.opts.onNoGroup && String((err as Error).message).includes('NOGROUP')) {
          this.opts.logger.warn('liveness consumer group missing (Redis lost its data?); recreating it');
          await this.opts.onNoGroup().catch(() => {});
          continue;
        }
        this.opts.logger.error(
          { err: { message: (err as Error).message } },
          'liveness consumer error; retrying',
        );
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Applies a batch and acknowledges it. A batch that fails while the store is healthy is
   * split in halves until the failing events stand alone, so one poison event cannot hold
   * back the rest; an event alone that failed `maxTries` times goes to the dead-letter
   * stream. While the store is down nothing is split or counted: the batch stays pending
   * and is retried (claimed again) once it is back.
   */
  private async process(events: LivenessEvent[], ids: string[]): Promise<void> {
    const { redis, stream } = this.opts;
    // Entries that did not parse (trimmed, foreign) are acknowledged with the batch.
    const parsed = new Set(events.map((e) => e.id));
    const junk = ids.filter((id) => !parsed.has(id));
    if (junk.length) await redis.xack(stream, GROUP, ...junk);
    await this.apply(events);
  }

  private async apply(events: LivenessEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { redis, stream } = this.opts;
    try {
      await this.opts.handle(events);
    } catch (err) {
      const healthy = await (this.opts.storeHealthy?.() ?? Promise.resolve(true)).catch(() => false);
      if (!healthy || !this.running) throw err;
      if (events.length > 1) {
        const half = Math.ceil(events.length / 2);
        await this.apply(events.slice(0, half));
        await this.apply(events.slice(half));
        return;
      }
      await this.failedAlone(events[0]!, (err as Error).message ?? String(err));
      return;
    }
    await redis.xack(stream, GROUP, ...events.map((e) => e.id));
    await redis.hdel(this.triesKey, ...events.map((e) => e.id));
  }

  private get triesKey(): string {
    return `${this.opts.stream}:tries`;
  }

  /** One event failed on its own: count the try; past the limit, dead-letter it. */
  private async failedAlone(e: LivenessEvent, error: string): Promise<void> {
    const { redis, stream } = this.opts;
    const tries = await redis.hincrby(this.triesKey, e.id, 1);
    const max = this.opts.maxTries ?? DEFAULT_MAX_TRIES;
    if (tries < max) {
      // Left pending: claimed again after claimIdleMs, by this process or another.
      this.opts.logger.warn({ event: e.id, tries, error }, 'liveness event failed; will retry');
      return;
    }
    await redis
      .multi()
      .xadd(
        deadLetterKey(stream),
        '*',
        'id',
        e.id,
        'n',
        e.nodeId,
        't',
        e.to,
        'a',
        String(e.at),
        's',
        e.source,
        'error',
        error.slice(0, 500),
        'tries',
        String(tries),
      )
      .xack(stream, GROUP, e.id)
      .hdel(this.triesKey, e.id)
      .exec();
    this.opts.logger.error({ event: e.id, node: e.nodeId, tries, error }, 'liveness event dead-lettered');
    await this.opts.onDeadLetter?.(e, error).catch(() => {});
  }
}
