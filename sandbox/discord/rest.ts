import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { ApiError } from './errors';
import { failureResponse, type FailurePlan } from './failures';
import type { UploadedFile } from './messages';
import type { BucketName, RateLimiter } from './rate-limits';
import type { SandboxState } from './state';
import type { RequestRecord } from './types';

export interface RouteContext {
  state: SandboxState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  files: UploadedFile[];
  method: string;
  path: string;
}

export type RouteResult = { status?: number; body?: unknown } | void;

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path after /api/v10 with `:name` segments. */
  pattern: string;
  /** Needs `Authorization: Bot <token>` (interaction and webhook-token routes do not). */
  auth: boolean;
  bucket: BucketName;
  /** Route parameter that scopes the bucket (channel, guild, webhook token...). */
  major?: string;
  /** Counts against the global limit (interaction endpoints are exempt on Discord). */
  global?: boolean;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

interface Compiled extends RouteDef {
  segments: string[];
}

const API_PREFIX = /^\/api\/v10(?=\/)/;

export function createRestHandler(deps: {
  state: SandboxState;
  limiter: RateLimiter;
  failures: FailurePlan;
  routes: RouteDef[];
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { state, limiter, failures } = deps;
  const routes: Compiled[] = deps.routes.map((r) => ({ ...r, segments: r.pattern.split('/').slice(1) }));

  const match = (
    method: string,
    path: string,
  ): { route?: Compiled; params: Record<string, string>; pathKnown: boolean } => {
    const parts = path.split('/').slice(1);
    let pathKnown = false;
    for (const r of routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = r.segments.every((seg, i) => {
        if (seg.startsWith(':')) return ((params[seg.slice(1)] = parts[i]!), parts[i] !== '');
        return seg === parts[i];
      });
      if (!ok) continue;
      pathKnown = true;
      if (r.method === method) return { route: r, params, pathKnown };
    }
    return { params: {}, pathKnown };
  };

  return (req, res) => {
    void (async () => {
      const at = Date.now();
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const method = (req.method ?? 'GET').toUpperCase();
      const raw = await readBody(req);
      if (url.pathname.startsWith('/attachments/')) return serveAttachment(state, url.pathname, res);

      let path: string;
      try {
        // discord.js encodes `@original` as `%40original`; routes see decoded segments.
        path = url.pathname.replace(API_PREFIX, '').split('/').map(decodeURIComponent).join('/');
      } catch {
        path = url.pathname;
      }
      const record: RequestRecord = {
        method,
        path,
        route: undefined,
        query: Object.fromEntries(url.searchParams),
        body: undefined,
        files: [],
        status: 0,
        response: undefined,
        at,
        authorized: req.headers.authorization === `Bot ${state.token}`,
      };
      const headers: Record<string, string> = {};
      let status = 200;
      let body: unknown;
      let interactionToken: string | undefined;
      try {
        if (!API_PREFIX.test(url.pathname)) throw new ApiError(404, 0);
        const { route, params, pathKnown } = match(method, path);
        if (!route) throw new ApiError(pathKnown ? 405 : 404, 0);
        record.route = route.pattern;
        interactionToken = params.token;
        if (route.auth && !record.authorized) {
          record.refusedBy = 'auth';
          throw new ApiError(401, 0);
        }
        const parsed = await parseBody(req.headers['content-type'], raw);
        record.body = parsed.body;
        record.files = parsed.files.map((f) => ({
          field: f.field,
          filename: f.filename,
          size: f.data.length,
          contentType: f.contentType,
        }));

        const verdict = limiter.take(
          route.bucket,
          (route.major && params[route.major]) || 'global',
          route.global !== false,
          at,
        );
        Object.assign(headers, verdict.headers);
        if (!verdict.ok) {
          record.refusedBy = verdict.global ? 'global-rate-limit' : 'route-rate-limit';
          status = 429;
          body = {
            message: 'You are being rate limited.',
            retry_after: verdict.retryAfter,
            global: verdict.global,
          };
        } else {
          const injected = failures.take(method, path);
          if (injected) {
            record.refusedBy = 'injected';
            const f = failureResponse(injected);
            status = f.status;
            Object.assign(headers, f.headers);
            body = f.body;
          } else {
            const result = await route.handler({
              state,
              params,
              query: url.searchParams,
              body: parsed.body,
              files: parsed.files,
              method,
              path,
            });
            status = result?.status ?? (result?.body === undefined ? 204 : 200);
            body = result?.body;
          }
        }
      } catch (err) {
        if (err instanceof ApiError) {
          status = err.status;
          body = err.body;
        } else {
          // A bug in the emulator: say so loudly rather than as a plausible Discord error.
          console.error('[discord sandbox] route failed', method, path, err);
          status = 500;
          body = { message: `sandbox error: ${(err as Error).message}`, code: 0 };
        }
      }
      record.status = status;
      record.response = body;
      state.requests.push(record);
      if (status >= 400 && interactionToken) {
        const inter = [...state.interactions.values()].find((i) => i.token === interactionToken);
        inter?.errors.push({ at, method, path, status, body });
      }
      if (status === 204 || body === undefined) {
        // No content type on empty answers: @discordjs/rest JSON-parses whatever claims to be JSON.
        res.writeHead(status === 200 ? 204 : status, headers).end();
      } else {
        res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      }
      state.changed();
    })().catch((err) => {
      console.error('[discord sandbox] request crashed', err);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (!raw.length) return { body: undefined, files: [] };
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType! } }).formData();
    let body: Record<string, unknown> = {};
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = { ...body, ...parseJson(value) };
        else body[field] = value;
      } else {
        files.push({
          field,
          filename: value.name,
          contentType: value.type || 'application/octet-stream',
          data: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    return { body, files };
  }
  return { body: parseJson(raw.toString('utf8')), files: [] };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, RESTJSONErrorCodes.RequestBodyContainsInvalidJSON);
  }
}

function serveAttachment(state: SandboxState, pathname: string, res: ServerResponse): void {
  const [, , , id] = pathname.split('/');
  for (const m of state.messages.values()) {
    const file = m.files.find((f) => f.id === id);
    if (file) {
      res
        .writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.size) })
        .end(file.data);
      return;
    }
  }
  res.writeHead(404).end();
}
