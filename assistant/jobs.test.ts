// AI calls as BullMQ jobs on the real Redis: a worker answers through the OpenAI emulator;
// without a worker in time the caller gets null (and answers from retrieval).
import { QueueHub } from '../core/queue';
import { startOpenAISandbox, type OpenAISandbox } from '../sandbox/openai';
import { TEST_REDIS_URL } from '../test/support/env';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { OpenAiWriter } from './answer/ai';
import { QueuedAiWriter, startAssistantWorker } from './jobs';

const req = {
  question: 'When is the TGE?',
  lang: 'en',
  entries: [{ id: 'tge-status', lang: 'en', title: 'TGE', updated: '2026-12-01', body: 'No TGE date yet.' }],
};

describe('assistant jobs', () => {
  const prefix = testPrefix();
  let hub: QueueHub;
  let ai: OpenAISandbox;
  let queued: QueuedAiWriter;

  beforeAll(async () => {
    ai = await startOpenAISandbox();
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
    queued = new QueuedAiWriter(hub, TEST_REDIS_URL, 1_000);
  });
  afterAll(async () => {
    await queued.close();
    await hub.close();
    await ai.stop();
    await deleteKeys(prefix);
  });

  it('without a worker the wait ends in null', async () => {
    expect(await queued.answer(req)).toBeNull();
  });

  it('a worker runs the model call and the caller gets the structured result', async () => {
    startAssistantWorker(
      hub,
      new OpenAiWriter({ apiKey: ai.apiKey, baseURL: ai.baseURL, model: 'gpt-4o-mini', timeoutMs: 5_000 }),
    );
    ai.queueChat({ answer: 'No TGE date yet.', cited_ids: ['tge-status'], confidence: 0.8 });
    const longer = new QueuedAiWriter(hub, TEST_REDIS_URL, 10_000);
    try {
      expect(await longer.answer(req)).toEqual({
        answer: 'No TGE date yet.',
        citedIds: ['tge-status'],
        confidence: 0.8,
      });
    } finally {
      await longer.close();
    }
  });
});
