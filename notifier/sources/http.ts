// One GET with a timeout, classified the way every network source needs it: an answer the
// node or device gave (JSON, 404/422), or trouble with the API itself (5xx, 429, 401,
// timeouts, HTML where JSON was expected), which makes the network's nodes "unknown".
import { SourceOutage } from './types';

export type Answer = { status: number; json: unknown } | { status: 404 | 422; text: string };

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs, 3_600) * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.min(at - Date.now(), 3_600_000)) : undefined;
}

/** Host part only: outage notices name the API, never a path with ids or a token. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unknown host';
  }
}

export async function getJson(
  url: string,
  opts: { headers?: Record<string, string>; timeoutMs: number },
): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...opts.headers },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    const why = e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : 'connection failed';
    throw new SourceOutage(why);
  }
  if (res.status === 404 || res.status === 422) {
    return { status: res.status, text: (await res.text()).slice(0, 500) };
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new SourceOutage(`HTTP ${res.status} (token missing or expired)`, undefined, true);
  }
  if (res.status === 429) {
    await res.body?.cancel();
    throw new SourceOutage('HTTP 429 (rate limited)', retryAfterMs(res.headers.get('retry-after')) ?? 0);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new SourceOutage(`HTTP ${res.status}`);
  }
  const body = await res.text();
  try {
    return { status: res.status, json: JSON.parse(body) };
  } catch {
    // A proxy or CDN error page with a 200: the API did not really answer.
    throw new SourceOutage(
      `not JSON (${(res.headers.get('content-type') ?? 'no content type').slice(0, 40)})`,
    );
  }
}
