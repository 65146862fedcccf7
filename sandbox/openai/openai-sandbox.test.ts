// The sandbox driven by the real `openai` client, so what passes here works with it in the app.
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { cosineSimilarity, DONT_KNOW, startOpenAISandbox, type OpenAISandbox } from './index';

let ai: OpenAISandbox;
let client: OpenAI;

beforeAll(async () => {
  ai = await startOpenAISandbox();
  client = new OpenAI({ apiKey: ai.apiKey, baseURL: ai.baseURL, maxRetries: 0 });
});
afterEach(() => ai.reset());
afterAll(() => ai.stop());

const KB = [
  'Answer only from the sources below.',
  'Source: Token launch. The TGE is scheduled for June 11. Points convert to tokens at launch.',
  'Source: Worker setup. Install the agent with Docker. Workers need port 443 open.',
].join('\n');

describe('chat completions', () => {
  it('answers with a complete chat.completion object grounded in the context', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: KB },
        { role: 'user', content: 'When is the TGE?' },
      ],
    });
    expect(res).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        { index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', refusal: null } },
      ],
    });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.choices[0]!.message.content).toBe('The TGE is scheduled for June 11.');
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(ai.chatRequests()).toHaveLength(1);
    expect(ai.chatRequests()[0]!.messages[1]!.content).toBe('When is the TGE?');
  });

  it('says it does not know when no context shares a term with the question', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: KB },
        { role: 'user', content: 'Favourite colour?' },
      ],
    });
    expect(res.choices[0]!.message.content).toBe(DONT_KNOW);
  });

  it('serves queued replies first, then the handler, then the default', async () => {
    ai.queueChat('first', { answer: 'second' });
    ai.onChat((req) => (req.messages.length > 1 ? 'from handler' : undefined));
    const ask = async (messages: OpenAI.ChatCompletionMessageParam[]) =>
      (await client.chat.completions.create({ model: 'm', messages })).choices[0]!.message.content;
    const two: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'Workers need port 443 open.' },
      { role: 'user', content: 'port?' },
    ];
    expect(await ask(two)).toBe('first');
    expect(JSON.parse((await ask(two))!)).toEqual({ answer: 'second' });
    expect(await ask(two)).toBe('from handler');
    expect(await ask([{ role: 'user', content: 'port?' }])).toBe(DONT_KNOW);
  });

  it('returns structured output that the client parses against a zod schema', async () => {
    const Answer = z.object({ answer: z.string(), confident: z.boolean(), sources: z.array(z.string()) });
    const format = zodResponseFormat(Answer, 'kb_answer');

    const byDefault = await client.chat.completions.parse({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: KB },
        { role: 'user', content: 'Which port do workers need?' },
      ],
      response_format: format,
    });
    expect(byDefault.choices[0]!.message.parsed).toEqual({
      answer: 'Source: Worker setup. Workers need port 443 open.',
      confident: false,
      sources: [],
    });

    ai.onChat((req) => {
      expect(req.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'kb_answer' } });
      return { answer: 'June 11', confident: true, sources: ['Token launch'] };
    });
    const scripted = await client.chat.completions.parse({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'When is the TGE?' }],
      response_format: format,
    });
    expect(scripted.choices[0]!.message.parsed).toEqual({
      answer: 'June 11',
      confident: true,
      sources: ['Token launch'],
    });
  });

  it('answers json_object requests with JSON, and rejects them when no message mentions JSON', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `${KB}\nReply in JSON.` },
        { role: 'user', content: 'When is the TGE?' },
      ],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({
      answer: 'The TGE is scheduled for June 11.',
    });

    await expect(
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        response_format: { type: 'json_object' },
      }),
    ).rejects.toMatchObject({ status: 400, param: 'messages' });
  });

  it('streams chunks that the client assembles, with usage when asked', async () => {
    ai.queueChat('Your node is back online.');
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'status?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const parts: string[] = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      for (const choice of chunk.choices) {
        parts.push(choice.delta.content ?? '');
        finish = choice.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    expect(parts.join('')).toBe('Your node is back online.');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ completion_tokens: 7 });

    // The stream helper rebuilds a whole completion from the same chunks.
    ai.queueChat('Hello there');
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Hello there');
  });

  it('cuts the answer at max_completion_tokens with finish_reason "length"', async () => {
    ai.queueChat('x'.repeat(100));
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'long please' }],
      max_completion_tokens: 5,
    });
    expect(res.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'x'.repeat(20) } });
  });
});

describe('errors', () => {
  it('rejects a wrong or missing key with AuthenticationError', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong-key-1234', baseURL: ai.baseURL, maxRetries: 0 });
    const err = await wrong.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });

    const res = await fetch(`${ai.baseURL}/chat/completions`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        message: expect.stringContaining("didn't provide an API key"),
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    expect(ai.chatRequests()).toHaveLength(0);
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'hi' }] }, null, 'you must provide a model parameter'],
    [{ model: 'm', messages: [] }, 'messages', 'empty array'],
    [{ model: 'm' }, 'messages', "Missing required parameter: 'messages'"],
    [{ model: 'm', messages: [{ role: 'bot', content: 'hi' }] }, 'messages[0].role', "Invalid value: 'bot'"],
    [{ model: 'm', messages: [{ role: 'user' }] }, 'messages[0].content', 'Missing required parameter'],
    [
      { model: 'm', messages: [{ role: 'tool', content: 'x' }] },
      'messages[0].tool_call_id',
      'Missing required parameter',
    ],
    [
      { model: 'm', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_schema' } },
      'response_format.json_schema',
      'Missing required parameter',
    ],
  ])('rejects an invalid body with BadRequestError (%#)', async (body, param, message) => {
    const err = await client.chat.completions
      .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, param, type: 'invalid_request_error' });
    expect((err as Error).message).toContain(message);
  });

  it('surfaces an injected 429 after the client used up its retries', async () => {
    const retrying = new OpenAI({ apiKey: ai.apiKey, baseURL: ai.baseURL, maxRetries: 1 });
    ai.failNext({ status: 429, retryAfter: 0.01, count: 2 });
    const err = await retrying.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect((err as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after-ms')).toBe('10');
    expect(ai.chatRequests()).toHaveLength(2); // first try + one retry
  });

  it('recovers when a 503 is followed by success, within the retries', async () => {
    const retrying = new OpenAI({ apiKey: ai.apiKey, baseURL: ai.baseURL, maxRetries: 1 });
    ai.failNext({ status: 503, retryAfter: 0 });
    ai.queueChat('ok');
    const res = await retrying.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.choices[0]!.message.content).toBe('ok');
    expect(ai.chatRequests()).toHaveLength(2);
  });

  it('turns a scripted error reply into the matching error class', async () => {
    ai.onChat(() => ({ error: { status: 500, message: 'boom' } }));
    const err = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as Error).message).toContain('boom');
  });

  it('delays answers by the configured latency', async () => {
    ai.setLatency(150);
    const started = performance.now();
    await client.models.list();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('embeddings', () => {
  const texts = ['How do I link my wallet?', 'Link a wallet to your account', 'GPU benchmark results'];

  it('returns deterministic vectors, decoded from base64 by the client by default', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts });
    expect(ai.embeddingRequests()[0]!.encoding_format).toBe('base64');
    expect(res).toMatchObject({ object: 'list', model: 'text-embedding-3-small' });
    expect(res.data.map((d) => [d.object, d.index, d.embedding.length])).toEqual([
      ['embedding', 0, 256],
      ['embedding', 1, 256],
      ['embedding', 2, 256],
    ]);
    expect(res.usage.total_tokens).toBeGreaterThan(0);
    const [wallet, link, gpu] = res.data.map((d) => d.embedding);
    expect(cosineSimilarity(wallet!, link!)).toBeGreaterThan(0.5);
    expect(Math.abs(cosineSimilarity(wallet!, gpu!))).toBeLessThan(0.3);

    const asFloats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: texts,
      encoding_format: 'float',
    });
    expect(asFloats.data.map((d) => d.embedding)).toEqual(res.data.map((d) => d.embedding));
  });

  it('honours dimensions and embeds a single string', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
      dimensions: 64,
    });
    expect(res.data).toHaveLength(1);
    expect(res.data[0]!.embedding).toHaveLength(64);
    const norm = Math.sqrt(res.data[0]!.embedding.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  it('rejects an empty input and a missing model', async () => {
    await expect(
      client.embeddings.create({ model: 'text-embedding-3-small', input: '' }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(
      client.embeddings.create({ input: 'x' } as unknown as OpenAI.EmbeddingCreateParams),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('model') });
  });
});

describe('models', () => {
  it('lists models and finds one by id', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain('gpt-4o-mini');
    expect(await client.models.retrieve('text-embedding-3-small')).toMatchObject({ object: 'model' });
    await expect(client.models.retrieve('nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
