// AI calls as BullMQ jobs, so a slow model never holds a bot's update loop: the bot side
// adds an `assistant-answer` job and waits for its result (the user sees "typing…"
// meanwhile); a worker runs the OpenAI call. No result in time → null, and the caller
// answers from retrieval.
import { QueueEvents, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis, type QueueHub } from '../core/queue';
import type { AiAnswerer, AiRequest, AiResult } from './answer/ai';

export class QueuedAiWriter implements AiAnswerer {
  private readonly connection: Redis;
  private readonly events: QueueEvents;

  constructor(
    private readonly hub: QueueHub,
    redisUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.connection = createRedis(redisUrl, true);
    this.events = new QueueEvents('assistant-answer', {
      connection: this.connection as unknown as ConnectionOptions,
      prefix: hub.prefix,
    });
    this.events.on('error', () => {});
  }

  async answer(req: AiRequest): Promise<AiResult | null> {
    try {
      await this.events.waitUntilReady();
      const job = await this.hub.add(
        'assistant-answer',
        { ...req, deadline: Date.now() + this.timeoutMs },
        {
          // A retry would arrive after the user already got the retrieval answer.
          attempts: 1,
          removeOnComplete: { age: 600 },
          removeOnFail: { age: 3600 },
        },
      );
      const result = (await job.waitUntilFinished(this.events, this.timeoutMs)) as AiResult | null;
      return result ?? null;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    await this.events.close().catch(() => {});
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

/** The worker side: runs the model call for each job. */
export function startAssistantWorker(hub: QueueHub, writer: AiAnswerer, concurrency = 4) {
  return hub.worker(
    'assistant-answer',
    async (job) => {
      // The asker has already answered from retrieval: spend no model call on it.
      if (Date.now() > job.data.deadline) return null;
      const { deadline: _deadline, ...req } = job.data;
      return writer.answer(req);
    },
    { concurrency },
  );
}
