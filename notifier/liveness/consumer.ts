// Reads liveness events from the Redis stream with a consumer group: every event is handled
// by one worker process, acknowledged only after its effects are committed, and claimed by
// another process when its consumer died (kill -9) before acknowledging.
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger';
import { consumerName, type LivenessEvent, type StatusSource } from './store';

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
  /** Called after each read round without error: pipeline progress, for /healthz. */
  onProgress?: () => Promise<void>;
  /** Called when the group is gone (Redis restarted empty), to recreate it. */
  onNoGroup?: () => Promise<void>;
}

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
    const batch = this.opts.batch ?? 1_000;
    let lastClaim = 0;
    while (this.running) {
      try {
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
        }
        const res = (await redis.xreadgroup(
          'GROUP',
          GROUP,
          this.name,
          'COUNT',
          batch,
          'BLOCK',
          this.opts.blockMs ?? 1_000,
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

  private async process(events: LivenessEvent[], ids: string[]): Promise<void> {
    if (events.length) await this.opts.handle(events);
    await this.opts.redis.xack(this.opts.stream, GROUP, ...ids);
  }
}
