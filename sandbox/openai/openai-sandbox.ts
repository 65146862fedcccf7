// A local OpenAI API for tests, benchmarks and the demo. The real `openai` client talks to
// it with `new OpenAI({ apiKey: sandbox.apiKey, baseURL: sandbox.baseURL })`.
//
// A chat request is answered by the first of: an injected failure (failNext), the next
// queued reply (queueChat), the test's handler (onChat; returning undefined falls
// through), the deterministic default (default-chat.ts).
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type OpenAI from 'openai';
import { applyTokenLimit, buildChunks, buildCompletion } from './chat-response';
import { defaultChatReply } from './default-chat';
import { buildEmbeddingResponse, embeddingInputs } from './embeddings';
import { incorrectApiKey, invalidRequest, missingApiKey, SandboxHttpError, statusError } from './errors';
import { validateChatBody } from './validate-chat';

export type ChatRequest = OpenAI.ChatCompletionCreateParams;

/** A scripted failure: answered with the real error body for `status`. */
export interface ChatErrorReply {
  error: { status: number; message?: string; retryAfter?: number };
}

/** A string is the answer text; any other object or array is sent as JSON text (structured outputs). */
export type ChatReply = string | object | ChatErrorReply;
export type ChatHandler = (req: ChatRequest) => ChatReply | undefined | Promise<ChatReply | undefined>;

export interface FailureSpec {
  status: number;
  /** Seconds; sent as `retry-after` and `retry-after-ms` (fractions allowed). */
  retryAfter?: number;
  message?: string;
  /** How many consecutive API calls (chat or embeddings) fail; default 1. */
  count?: number;
}

export interface OpenAISandboxOptions {
  /** The only key accepted as `Authorization: Bearer <key>`; default "test". */
  apiKey?: string;
  /** Length of embeddings when the request gives no `dimensions`; default 256. */
  embeddingDimensions?: number;
  /** Ids served by GET /v1/models. */
  models?: string[];
  latencyMs?: number;
}

export interface OpenAISandbox {
  /** `http://127.0.0.1:PORT/v1` */
  baseURL: string;
  apiKey: string;
  /** Replaces the handler (null restores the default answers). */
  onChat(handler: ChatHandler | null): void;
  /** Replies used once each, in order, before the handler. */
  queueChat(...replies: ChatReply[]): void;
  failNext(failure: FailureSpec): void;
  /** Every authenticated chat body received, failed ones included (so retries are countable). */
  chatRequests(): ChatRequest[];
  embeddingRequests(): OpenAI.EmbeddingCreateParams[];
  /** Delay before every /v1 answer. */
  setLatency(ms: number): void;
  /** Drops handler, queue, pending failures, logs and latency. */
  reset(): void;
  stop(): Promise<void>;
}

export const DEFAULT_MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
];

function isErrorReply(reply: unknown): reply is ChatErrorReply {
  if (!reply || typeof reply !== 'object' || Array.isArray(reply)) return false;
  const keys = Object.keys(reply);
  const err = (reply as { error?: unknown }).error;
  return (
    keys.length === 1 &&
    !!err &&
    typeof err === 'object' &&
    typeof (err as { status?: unknown }).status === 'number'
  );
}

export async function startOpenAISandbox(opts: OpenAISandboxOptions = {}): Promise<OpenAISandbox> {
  const apiKey = opts.apiKey ?? 'test';
  const dims = opts.embeddingDimensions ?? 256;
  const models = opts.models ?? DEFAULT_MODELS;
  let latencyMs = opts.latencyMs ?? 0;
  let handler: ChatHandler | null = null;
  let queue: ChatReply[] = [];
  let failures: FailureSpec[] = [];
  let chatLog: ChatRequest[] = [];
  let embeddingLog: OpenAI.EmbeddingCreateParams[] = [];

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });

  function send(reply: FastifyReply, err: SandboxHttpError) {
    return reply.code(err.status).headers(err.headers).send(err.body);
  }

  /** Takes one injected failure, if any is pending. */
  function takeFailure(): SandboxHttpError | null {
    const f = failures[0];
    if (!f) return null;
    if ((f.count ?? 1) <= 1) failures.shift();
    else f.count = (f.count ?? 1) - 1;
    return statusError(f.status, f.message, f.retryAfter);
  }

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', `req_${Math.random().toString(16).slice(2, 14)}`);
    const auth = req.headers.authorization;
    if (!auth || !/^Bearer\s+\S/i.test(auth)) return send(reply, missingApiKey());
    const given = auth.replace(/^Bearer\s+/i, '').trim();
    if (given !== apiKey) return send(reply, incorrectApiKey(given));
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
  });

  // Body-parse failures and anything unexpected still answer in the API's error shape.
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof SandboxHttpError) return send(reply, err);
    if (err.statusCode && err.statusCode < 500) {
      return send(
        reply,
        invalidRequest(`We could not parse the JSON body of your request. (${err.message})`),
      );
    }
    return send(reply, statusError(500));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      error: {
        message: `Invalid URL (${req.method} ${req.url})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    }),
  );

  async function chatReplyFor(body: ChatRequest): Promise<ChatReply> {
    if (queue.length > 0) return queue.shift()!;
    if (handler) {
      const fromHandler = await handler(body);
      if (fromHandler !== undefined) return fromHandler;
    }
    return defaultChatReply(body);
  }

  app.post('/v1/chat/completions', async (req, reply) => {
    const body = req.body as ChatRequest;
    chatLog.push(structuredClone(body));
    const failure = takeFailure() ?? validateChatBody(body);
    if (failure) return send(reply, failure);

    const scripted = await chatReplyFor(body);
    if (isErrorReply(scripted)) {
      return send(
        reply,
        statusError(scripted.error.status, scripted.error.message, scripted.error.retryAfter),
      );
    }
    const text = typeof scripted === 'string' ? scripted : JSON.stringify(scripted);
    const { content, finishReason } = applyTokenLimit(body, text);

    if (body.stream !== true) return reply.send(buildCompletion(body, content, finishReason));

    // Server-sent events, one `data:` line per chunk, closed by `data: [DONE]`.
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': String(reply.getHeader('x-request-id')),
    });
    for (const chunk of buildChunks(body, content, finishReason))
      reply.raw.write(`data: ${JSON.stringify(chunk)}\n\n`);
    reply.raw.end('data: [DONE]\n\n');
  });

  app.post('/v1/embeddings', async (req, reply) => {
    const body = req.body as OpenAI.EmbeddingCreateParams;
    embeddingLog.push(structuredClone(body));
    const failure = takeFailure();
    if (failure) return send(reply, failure);
    const texts = embeddingInputs(body);
    if (texts instanceof SandboxHttpError) return send(reply, texts);
    return reply.send(buildEmbeddingResponse(body, texts, dims));
  });

  // A fixed creation time keeps the listing identical from run to run.
  const modelObject = (id: string): OpenAI.Model => ({
    id,
    object: 'model',
    created: 1_715_367_049,
    owned_by: 'system',
  });
  app.get('/v1/models', async () => ({ object: 'list', data: models.map(modelObject) }));
  app.get<{ Params: { model: string } }>('/v1/models/:model', async (req, reply) => {
    if (models.includes(req.params.model)) return modelObject(req.params.model);
    return send(
      reply,
      new SandboxHttpError(404, {
        error: {
          message: `The model '${req.params.model}' does not exist`,
          type: 'invalid_request_error',
          param: 'model',
          code: 'model_not_found',
        },
      }),
    );
  });

  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    baseURL: `${address}/v1`,
    apiKey,
    onChat: (h) => {
      handler = h;
    },
    queueChat: (...replies) => {
      queue.push(...replies);
    },
    failNext: (failure) => {
      failures.push({ ...failure });
    },
    chatRequests: () => [...chatLog],
    embeddingRequests: () => [...embeddingLog],
    setLatency: (ms) => {
      latencyMs = ms;
    },
    reset: () => {
      handler = null;
      queue = [];
      failures = [];
      chatLog = [];
      embeddingLog = [];
      latencyMs = 0;
    },
    stop: () => app.close(),
  };
}
