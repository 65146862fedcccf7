import { ApiError, tooManyRequests } from './errors';

export interface TelegramFailure {
  status: 400 | 403 | 429 | 500 | 502;
  description?: string;
  /** Seconds reported in `parameters.retry_after` for 429 (default 1). */
  retryAfter?: number;
}

export interface TelegramFailRate {
  /** Fraction (0..1) of calls answered 500 Internal Server Error. */
  status5xx?: number;
  /** Fraction (0..1) of calls answered 429 Too Many Requests. */
  status429?: number;
  /** retry_after for the random 429s (default 1). */
  retryAfter?: number;
  /** Restarts the random sequence, so a run is reproducible. */
  seed?: number;
}

const DEFAULT_DESCRIPTION: Record<TelegramFailure['status'], string> = {
  400: 'Bad Request: injected failure',
  403: 'Forbidden: bot was blocked by the user',
  429: '',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
};

/** mulberry32: tiny, seedable, good enough to pick which calls fail. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function failureToError(f: TelegramFailure): ApiError {
  if (f.status === 429) {
    const err = tooManyRequests(f.retryAfter ?? 1);
    return f.description ? new ApiError(429, f.description, err.parameters) : err;
  }
  return new ApiError(f.status, f.description ?? DEFAULT_DESCRIPTION[f.status]);
}

/** Failures the test asked for, per method name (case-insensitive) or "*" for every method. */
export class FailureInjector {
  private readonly queued = new Map<string, TelegramFailure[]>();
  private readonly rates = new Map<string, TelegramFailRate>();
  private rand: () => number;

  constructor(seed = 1) {
    this.rand = random(seed);
  }

  failNext(method: string, failure: TelegramFailure, count = 1): void {
    const key = method.toLowerCase();
    const list = this.queued.get(key) ?? [];
    for (let i = 0; i < count; i++) list.push(failure);
    this.queued.set(key, list);
  }

  failRate(method: string, rate: TelegramFailRate | null): void {
    const key = method.toLowerCase();
    if (!rate) this.rates.delete(key);
    else this.rates.set(key, rate);
    if (rate?.seed !== undefined) this.rand = random(rate.seed);
  }

  clear(): void {
    this.queued.clear();
    this.rates.clear();
  }

  /** The failure for this call, if any; consumes one queued failure. */
  take(method: string): ApiError | undefined {
    for (const key of [method.toLowerCase(), '*']) {
      const list = this.queued.get(key);
      const next = list?.shift();
      if (next) return failureToError(next);
    }
    for (const key of [method.toLowerCase(), '*']) {
      const rate = this.rates.get(key);
      if (!rate) continue;
      const r = this.rand();
      if (r < (rate.status5xx ?? 0)) return failureToError({ status: 500 });
      if (r < (rate.status5xx ?? 0) + (rate.status429 ?? 0)) {
        return failureToError({ status: 429, retryAfter: rate.retryAfter ?? 1 });
      }
    }
    return undefined;
  }
}
