import { errorMessage } from './errors';

export interface RouteMatcher {
  /** HTTP method, any case; omitted matches every method. */
  method?: string;
  /**
   * Path after `/api/v10`, decoded (`/webhooks/1/tok/messages/@original`). A string may use
   * `:name` placeholders (`/channels/:id/messages`) and must match the whole path; a
   * RegExp is tested as is.
   */
  path: RegExp | string;
}

export interface InjectedFailure {
  status: 400 | 401 | 403 | 404 | 429 | 500 | 502 | 503;
  /** Discord JSON error code (e.g. 50007, 50013, 10003); defaults to 0. */
  code?: number;
  /** Seconds, for 429s (default 1). */
  retryAfter?: number;
  /** Make a 429 global (X-RateLimit-Global) instead of per-route. */
  global?: boolean;
  message?: string;
}

export interface FailureRates {
  /** Fraction (0..1) of matching calls answered 500. */
  status5xx?: number;
  /** Fraction (0..1) of matching calls answered 429 (retry_after 0.1 s). */
  status429?: number;
}

interface Rule {
  matches: (method: string, path: string) => boolean;
  pick: () => InjectedFailure | undefined;
  left: number;
}

export function routeMatcher(m: RouteMatcher): (method: string, path: string) => boolean {
  const method = m.method?.toUpperCase();
  let re: RegExp;
  if (typeof m.path === 'string') {
    const p = m.path.replace(/^\/api(\/v\d+)?/, '');
    const body = p
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    re = new RegExp(`^${body}$`);
  } else {
    re = m.path;
  }
  return (meth, path) => (!method || method === meth) && re.test(path);
}

export class FailurePlan {
  private rules: Rule[] = [];

  next(matcher: RouteMatcher, failure: InjectedFailure, count = 1): () => void {
    const rule: Rule = { matches: routeMatcher(matcher), pick: () => failure, left: count };
    this.rules.push(rule);
    return () => this.remove(rule);
  }

  rate(matcher: RouteMatcher, rates: FailureRates): () => void {
    const rule: Rule = {
      matches: routeMatcher(matcher),
      left: Number.POSITIVE_INFINITY,
      pick: () => {
        const roll = Math.random();
        if (roll < (rates.status5xx ?? 0)) return { status: 500 };
        if (roll < (rates.status5xx ?? 0) + (rates.status429 ?? 0)) return { status: 429, retryAfter: 0.1 };
        return undefined;
      },
    };
    this.rules.push(rule);
    return () => this.remove(rule);
  }

  clear(): void {
    this.rules = [];
  }

  /** The failure to answer this request with, if a rule claims it (consuming one use). */
  take(method: string, path: string): InjectedFailure | undefined {
    for (const rule of this.rules) {
      if (rule.left <= 0 || !rule.matches(method, path)) continue;
      const failure = rule.pick();
      if (!failure) continue;
      rule.left -= 1;
      if (rule.left <= 0) this.remove(rule);
      return failure;
    }
    return undefined;
  }

  private remove(rule: Rule): void {
    this.rules = this.rules.filter((r) => r !== rule);
  }
}

export function failureResponse(f: InjectedFailure): {
  status: number;
  headers: Record<string, string>;
  body: unknown;
} {
  if (f.status === 429) {
    const retryAfter = f.retryAfter ?? 1;
    const headers: Record<string, string> = {
      'Retry-After': String(retryAfter),
      'X-RateLimit-Scope': f.global ? 'global' : 'user',
    };
    if (f.global) headers['X-RateLimit-Global'] = 'true';
    return {
      status: 429,
      headers,
      body: {
        message: f.message ?? 'You are being rate limited.',
        retry_after: retryAfter,
        global: !!f.global,
        ...(f.code ? { code: f.code } : {}),
      },
    };
  }
  const code = f.code ?? 0;
  return {
    status: f.status,
    headers: {},
    body: { message: f.message ?? errorMessage(f.status, code), code },
  };
}
