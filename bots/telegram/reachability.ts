// Whether the Telegram Bot API can be reached, as one state per bot token and process: the
// poller, the replies and alert delivery all see the same outage, and it is logged once when
// it begins and once when it ends (with its length), not once per call and retry. A network
// error or timeout means "unreachable" at once; 5xx answers do when they go on for a second
// with no good answer between (a random 5xx among good answers is one call's problem, not
// an outage, and must not make the state flap). Any other answer means "reachable". Single
// failures (4xx, a stray 5xx) are logged per method, at most once every few seconds. Texts
// are scrubbed: an error can echo the URL, which holds the token.
import { HttpError, type Transformer } from 'grammy';
import type { Logger } from '../../core/logger';
import { scrub } from '../../core/scrub';

/** 5xx answers with no good one between, for at least this long, are an outage. */
const FAILING_FOR_MS = 1_000;

export class ApiReachability {
  private downSince: number | null = null;
  /** Since when, and how many, calls failed with no good answer between. */
  private failingSince: number | null = null;
  private failedCalls = 0;
  private readonly lastRefusal = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    private readonly refusalEveryMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  get reachable(): boolean {
    return this.downSince === null;
  }

  /** A failed call: `network` for a refused, reset or timed-out request, else a 5xx answer. */
  failed(method: string, message: string, network: boolean): void {
    const at = this.now();
    this.failingSince ??= at;
    this.failedCalls++;
    if (this.downSince !== null) return;
    if (!network && (this.failedCalls < 2 || at - this.failingSince < FAILING_FOR_MS))
      return this.refused(method, message);
    this.downSince = this.failingSince;
    this.logger.warn(
      { method, err: { message: scrub(message) } },
      'Telegram Bot API unreachable; retrying in the background (updates and alerts wait until it is back)',
    );
  }

  answered(): void {
    this.failingSince = null;
    if (this.downSince === null) return void (this.failedCalls = 0);
    const downForS = Math.round((this.now() - this.downSince) / 100) / 10;
    this.logger.info(
      { downForS, failedCalls: this.failedCalls },
      `Telegram Bot API reachable again after ${downForS} s`,
    );
    this.downSince = null;
    this.failedCalls = 0;
  }

  refused(method: string, message: string): void {
    const at = this.now();
    if (at - (this.lastRefusal.get(method) ?? -Infinity) < this.refusalEveryMs) return;
    this.lastRefusal.set(method, at);
    this.logger.warn({ method, err: { message: scrub(message) } }, 'Telegram Bot API call failed');
  }

  /** Installed innermost (first), so it sees every attempt of every retry. */
  transformer(): Transformer {
    return async (prev, method, payload, signal) => {
      let res;
      try {
        res = await prev(method, payload, signal);
      } catch (err) {
        // Aborted by its caller (shutdown, a stopped poll): not the API's fault.
        if (!signal?.aborted) this.failed(method, describeFailure(err), true);
        throw err;
      }
      if (res.ok || res.error_code < 500) this.answered();
      else this.failed(method, `${res.error_code}: ${res.description}`, false);
      // API errors come back as {ok:false}; grammY throws them later, outside transformers.
      if (!res.ok && res.error_code < 500 && res.error_code !== 429)
        this.refused(method, `${res.error_code}: ${res.description}`);
      return res;
    };
  }
}

/** grammY's HttpError hides the socket error (ECONNREFUSED, a timeout) in `error`. */
export function describeFailure(err: unknown): string {
  const e = err as {
    message?: string;
    error?: { code?: string; message?: string; cause?: { code?: string } };
  };
  const inner = e.error?.cause?.code ?? e.error?.code ?? e.error?.message;
  return inner ? `${e.message} (${inner})` : String(e.message ?? err);
}

// One state per token and logger in this process: the bots and workers roles may share one.
const shared = new WeakMap<Logger, Map<string, ApiReachability>>();

export function reachabilityFor(token: string, logger: Logger): ApiReachability {
  let byToken = shared.get(logger);
  if (!byToken) shared.set(logger, (byToken = new Map()));
  let r = byToken.get(token);
  if (!r) byToken.set(token, (r = new ApiReachability(logger.child({ platform: 'telegram' }))));
  return r;
}

/**
 * Network errors of calls other than getUpdates are retried a few times, a few seconds in
 * all, then thrown: a blip is absorbed, an outage is not waited out call by call (auto-retry
 * alone retries them forever, its pause doubling up to an hour, so a bot could sleep for
 * minutes after the API came back). getUpdates is retried by the poller at a steady pace.
 */
export function retryNetworkErrors(delaysMs = [500, 1_000, 2_000]): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (err) {
        const delay = delaysMs[attempt];
        if (method === 'getUpdates' || signal?.aborted || delay === undefined || !isHttpError(err)) throw err;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
        if (signal?.aborted) throw err;
      }
    }
  };
}

const isHttpError = (err: unknown) => err instanceof HttpError;
