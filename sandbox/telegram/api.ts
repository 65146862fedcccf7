import type { ApiResponse } from '@grammyjs/types';
import { ApiError, forbidden, tooManyRequests } from './errors';
import type { FailureInjector } from './failures';
import type { RateLimiter } from './limits';
import type { Params } from './params';
import type { ChatRecord, World } from './state';

export interface MethodContext {
  world: World;
  params: Params;
  /** Aborted when the client goes away (long polling stops waiting then). */
  signal: AbortSignal;
  /** Set by a method for the optional "description" of a successful answer. */
  description?: string;
  /** Counts a sending call against the flood limits; throws 429 when over. */
  limit(chat: ChatRecord): void;
  /** Throws the 403 Telegram answers for a chat the bot can no longer write to. */
  ensureReachable(chat: ChatRecord): void;
}

export interface MethodSpec {
  name: string;
  run(ctx: MethodContext): unknown;
}

export interface ApiAnswer {
  status: number;
  body: ApiResponse<unknown> & { description?: string };
}

/** Dispatches Bot API methods: failure injection, the method itself, the envelope, the call log. */
export class BotApi {
  private readonly methods = new Map<string, MethodSpec>();

  constructor(
    private readonly world: World,
    private readonly limiter: RateLimiter,
    private readonly failures: FailureInjector,
    specs: MethodSpec[],
  ) {
    // Bot API method names are case-insensitive.
    for (const spec of specs) this.methods.set(spec.name.toLowerCase(), spec);
  }

  async call(method: string, params: Params, signal: AbortSignal): Promise<ApiAnswer> {
    const at = Date.now();
    const spec = this.methods.get(method.toLowerCase());
    const ctx: MethodContext = {
      world: this.world,
      params,
      signal,
      limit: (chat) => {
        const retryAfter = this.limiter.hit(chat.chat.id);
        if (retryAfter !== undefined) throw tooManyRequests(retryAfter);
      },
      ensureReachable: (chat) => {
        if (!chat.blocked) return;
        throw chat.kind === 'private'
          ? forbidden('bot was blocked by the user')
          : forbidden('bot was kicked from the supergroup chat');
      },
    };
    let answer: ApiAnswer;
    try {
      if (!spec) throw new ApiError(404, 'Not Found: method not found');
      const injected = this.failures.take(spec.name);
      if (injected) throw injected;
      const result = await spec.run(ctx);
      const body = ctx.description
        ? { ok: true as const, result, description: ctx.description }
        : { ok: true as const, result };
      answer = { status: 200, body };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const body = { ok: false as const, error_code: err.code, description: err.description };
      answer = { status: err.code, body: err.parameters ? { ...body, parameters: err.parameters } : body };
    }
    this.world.calls.push({
      method: spec?.name ?? method,
      params: params.snapshot(),
      at,
      status: answer.status,
      ...(answer.body.ok ? {} : { description: answer.body.description }),
    });
    this.world.changed();
    return answer;
  }
}
