// The web role: health, metrics, and (in later modules) the heartbeat API and the
// Telegram webhook. Routes are registered by plugins that receive their dependencies.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { checkHealth } from './health';
import { createMetrics, type Metrics } from './metrics';

export interface WebDeps {
  pool: pg.Pool;
  redis: Redis;
  hub?: QueueHub;
  logger?: Logger;
  metrics?: Metrics;
  /** Extra route plugins (heartbeat API, Telegram webhook) registered by the runtime. */
  plugins?: Array<(app: FastifyInstance) => Promise<void> | void>;
  bodyLimit?: number;
}

export async function buildWebServer(deps: WebDeps): Promise<{ app: FastifyInstance; metrics: Metrics }> {
  const metrics = deps.metrics ?? createMetrics(deps.hub);
  const app = Fastify({
    loggerInstance: deps.logger?.child({ role: 'web' }) as FastifyBaseLogger | undefined,
    // Heartbeats arrive by the thousand: no per-request log lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    trustProxy: true,
  });

  // Every error is JSON of one shape; 5xx details stay in the log under a reference.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) {
      const ref = Math.random().toString(16).slice(2, 10);
      req.log.error({ ref, err: { message: err.message, stack: err.stack } }, 'request failed');
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

  app.get('/healthz', async (_req, reply) => {
    const report = await checkHealth({ pool: deps.pool, redis: deps.redis });
    const failing = Object.entries(report.checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    return reply.code(report.ok ? 200 : 503).send({
      status: report.ok ? 'ok' : 'fail',
      ...(failing.length ? { failing } : {}),
      checks: report.checks,
    });
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  for (const plugin of deps.plugins ?? []) await plugin(app);
  return { app, metrics };
}
