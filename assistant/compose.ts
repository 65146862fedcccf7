// Builds the assistant for one process (called from the composition root in cli/): the
// service, the AI writer when OPENAI_API_KEY is set (as BullMQ jobs), and the worker that
// runs those jobs in the workers role. The starter knowledge base is imported on the first
// start, when the knowledge base is still empty.
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { OpenAiWriter } from './answer/ai';
import { QueuedAiWriter, startAssistantWorker } from './jobs';
import type { PointsFigureSource } from './points';
import { KNOWLEDGE_DIR } from './retrieval/text';
import { Assistant } from './service';

export interface AssistantParts {
  assistant: Assistant;
  /** Starts the job worker that calls the model (workers role); no-op without a key. */
  startWorker(): void;
  close(): Promise<void>;
}

export function openAiWriterFrom(config: Config, logger?: Logger): OpenAiWriter | null {
  if (!config.OPENAI_API_KEY) return null;
  return new OpenAiWriter({
    apiKey: config.OPENAI_API_KEY,
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    model: config.OPENAI_MODEL,
    timeoutMs: config.ASSISTANT_AI_TIMEOUT_MS,
    // The error's message only: request bodies carry user text, and headers the key.
    onError: (err) => logger?.warn({ err: { message: (err as Error)?.message } }, 'assistant AI call failed'),
  });
}

export function composeAssistant(deps: {
  config: Config;
  db: Db;
  hub: QueueHub;
  logger?: Logger;
  figures?: PointsFigureSource | null;
}): AssistantParts {
  const { config, db, hub, logger } = deps;
  const writer = openAiWriterFrom(config, logger);
  const queued = writer
    ? new QueuedAiWriter(hub, config.REDIS_URL, config.ASSISTANT_AI_TIMEOUT_MS + 2_000)
    : null;
  const assistant = new Assistant({
    prisma: db.prisma,
    pool: db.pool,
    redis: hub.redis,
    prefix: hub.prefix,
    ai: queued,
    figures: deps.figures ?? null,
  });
  return {
    assistant,
    startWorker: () => {
      if (writer) startAssistantWorker(hub, writer);
    },
    close: async () => {
      await queued?.close();
    },
  };
}

/** First start: an empty knowledge base gets the starter entries. */
export async function seedKnowledgeBase(assistant: Assistant, logger?: Logger): Promise<void> {
  if ((await assistant.store.version()) > 0) return;
  const outcome = await assistant.importDir(KNOWLEDGE_DIR);
  if (outcome.kind === 'imported')
    logger?.info({ entries: outcome.entries }, 'starter knowledge base imported');
}
