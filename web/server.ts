// The web role: health, metrics, the heartbeat API and the Telegram webhook. Routes are
// registered by plugins that receive their dependencies.
// Exposure: every request has a deadline (slow bodies are cut), connections are capped,
// X-Forwarded-For is trusted only when configured, and /metrics plus the detailed /healthz
// sit behind a bearer token or on a port of their own when configured.
import http from 'node:http';
import type net from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { scrub } from '../core/scrub';
import { bearerMatches, HealthService, type PipelineWatch } from './health';
import type { ConnectionGate, RawGate } from './heartbeat-gate';
import { createMetrics, type Metrics } from './metrics';

export interface ExposureOptions {
  /** Fastify's trustProxy: false (default), true, a hop count, or proxy addresses/CIDRs. */
  trustProxy?: boolean | number | string[];
  /** Whole-request deadline: headers and body (ms). */
  requestTimeoutMs?: number;
  maxConnections?: number;
  /** Required as "Authorization: Bearer" by /metrics and the detailed /healthz. */
  metricsToken?: string;
  /** /metrics is served by a separate server (buildMetricsServer), not on this port. */
  separateMetrics?: boolean;
}

export interface WebDeps extends ExposureOptions {
  pool: pg.Pool;
  redis: Redis;
  hub?: QueueHub;
  logger?: Logger;
  metrics?: Metrics;
  /** Pipeline progress stamps to judge in /healthz (workers' consumer and sweep). */
  pipeline?: PipelineWatch;
  /** Extra route plugins (heartbeat API, Telegram webhook) registered by the runtime. */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
  bodyLimit?: number;
  /** Runs before Fastify on every request (web/heartbeat-gate.ts); true when it answered. */
  gate?: RawGate;
  /** Runs on every accepted connection, before the HTTP server sees it; true when it took the socket. */
  connectionGate?: ConnectionGate;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

function createApp(deps: WebDeps & { bodyLimit: number }): FastifyInstance {
  const timeout = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const app = Fastify({
    loggerInstance: deps.logger?.child({ role: 'web' }) as FastifyBaseLogger | undefined,
    // Heartbeats arrive by the thousand: no per-request log lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit,
    // A hop count trusts that many proxies in front (proxy-addr's meaning of a number).
    trustProxy:
      typeof deps.trustProxy === 'number'
        ? (_addr: string, hop: number) => hop < (deps.trustProxy as number)
        : (deps.trustProxy ?? false),
    // A request must arrive whole within the deadline; an idle socket is closed after it.
    requestTimeout: timeout,
    connectionTimeout: timeout,
    keepAliveTimeout: 5_000,
    // Node checks request deadlines every connectionsCheckingInterval (30 s by default).
    http: {
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, timeout / 4)),
      headersTimeout: timeout,
    },
    ...(deps.gate ? { serverFactory: gated(deps.gate, deps.connectionGate) } : {}),
  });
  if (deps.maxConnections) app.server.maxConnections = deps.maxConnections;

  // Every error is JSON of one shape; 5xx details stay in the log under a reference.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      const ref = Math.random().toString(16).slice(2, 10);
      req.log.error({ ref, err: { message: scrub(err.message), stack: scrub(err.stack) } }, 'request failed');
      return reply.code(status).send({ error: { code: 'internal', message: 'Internal error', ref } });
    }
    const code =
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'too_large'
        : err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'bad_json'
          : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'unsupported_media_type'
            : 'bad_request';
    return reply.code(status).send({ error: { code, message: err.message } });
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: 'No such route' } }),
  );
  return app;
}

/** Fastify's own HTTP/1 server (lib/server.js), with the gates in front of its handler. */
export function gated(gate: RawGate, connectionGate?: ConnectionGate) {
  return (
    handler: http.RequestListener,
    opts: {
      http?: http.ServerOptions;
      keepAliveTimeout?: number;
      requestTimeout?: number;
      connectionTimeout?: number;
    },
  ) => {
    const server = http.createServer(opts.http ?? {}, (req, res) => {
      if (!gate(req, res)) handler(req, res);
    });
    if (connectionGate) {
      // The HTTP server's own connection listener (a parser, timers, listeners) runs only for
      // connections that are kept; it is the only one registered when the server is made.
      const listeners = server.listeners('connection') as Array<(socket: net.Socket) => void>;
      server.removeAllListeners('connection');
      server.on('connection', (socket: net.Socket) => {
        if (connectionGate(socket)) return;
        for (const l of listeners) l.call(server, socket);
      });
    }
    if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout;
    if (opts.requestTimeout !== undefined) server.requestTimeout = opts.requestTimeout;
    server.setTimeout(opts.connectionTimeout ?? 0);
    return server;
  };
}

function observability(
  app: FastifyInstance,
  deps: WebDeps,
  metrics: Metrics,
  health: HealthService,
  open: boolean,
) {
  const authorized = (header: string | undefined) => open || bearerMatches(header, deps.metricsToken);
  app.get('/healthz', async (req, reply) => {
    const { status, body } = await health.report(authorized(req.headers.authorization));
    return reply.code(status).send(body);
  });
  // For load balancers: this process is up and can take requests (the pipeline may lag).
  app.get('/livez', async (_req, reply) => reply.send({ status: 'ok' }));
  app.get('/metrics', async (req, reply) => {
    if (!open && deps.separateMetrics) return reply.callNotFound();
    if (!open && deps.metricsToken && !bearerMatches(req.headers.authorization, deps.metricsToken))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: 'unauthorized', message: 'Send the metrics token as a bearer token.' } });
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}

export async function buildWebServer(deps: WebDeps): Promise<{ app: FastifyInstance; metrics: Metrics }> {
  const metrics = deps.metrics ?? createMetrics(deps.hub);
  const app = createApp({ ...deps, bodyLimit: deps.bodyLimit ?? 256 * 1024 });
  const health = new HealthService(deps);
  observability(app, deps, metrics, health, false);
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return { app, metrics };
}

/**
 * METRICS_PORT: /metrics and the detailed /healthz on a port of their own, for a private
 * network or a sidecar; the token, when set, is still required there.
 */
export function buildMetricsServer(deps: WebDeps & { metrics: Metrics }): FastifyInstance {
  const app = createApp({ ...deps, bodyLimit: 1024 });
  const health = new HealthService(deps);
  observability(app, { ...deps, separateMetrics: false }, deps.metrics, health, !deps.metricsToken);
  return app;
}
