// The web role: health and metrics, the heartbeat API, and Telegram updates in webhook mode.
import { TokenIndex } from '../accounts/token-index';
import type { Router } from '../bots/shared/router';
import { createTelegramBot } from '../bots/telegram/bot';
import { initWithDeadline } from '../bots/telegram/lifecycle';
import type { LivenessStore } from '../notifier/liveness/store';
import type { Config } from '../core/config';
import { createPool, type Db } from '../core/db';
import type { Lifecycle } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { GpuInventoryStore, type GpuReport } from '../notifier/gpu-inventory';
import { IngestReporter } from '../notifier/liveness/ingest-health';
import { heartbeatRoutes } from './heartbeat';
import { connectionGate, heartbeatGate, HOLD_MAX, Tarpit } from './heartbeat-gate';
import { IngestGuard } from './ingest-guard';
import { createMetrics } from './metrics';
import { registerNetworkSourceMetrics } from '../notifier/sources/metrics';
import { sourceSettingsFromConfig } from '../notifier/sources/build';
import { buildMetricsServer, buildWebServer } from './server';
import { telegramWebhookRoute } from './telegram-webhook';
import type { SendPacer } from '../notifier/delivery/pacing';
import { staffDashboardRoutes, type StaffDashboard } from './staff';

export async function startWeb(deps: {
  config: Config;
  db: Db;
  hub: QueueHub;
  /** Narrow dependencies built once by the composition root (cli/compose.ts). */
  app: {
    tokens: TokenIndex;
    liveness: LivenessStore;
    router: Router;
    /** Heartbeat GPU inventories also feed fake-card evidence. */
    moderation?: { noteHeartbeatGpus(reports: GpuReport[]): Promise<void> };
    services?: { telegramPacer?: SendPacer };
    /** The staff dashboard (/signin, /staff). */
    dashboard?: StaffDashboard;
  };
  logger: Logger;
  lifecycle: Lifecycle;
  host: string;
}) {
  const { config, db, hub, app, logger } = deps;
  const metrics = createMetrics(hub);
  registerNetworkSourceMetrics(metrics.registry, sourceSettingsFromConfig(config), hub.redis, hub.prefix);
  const gpus = new GpuInventoryStore(hub.redis, hub.prefix);
  // Ingest has a PostgreSQL pool of its own, so a flood never takes the workers' connections.
  const ingestPool = createPool(config.DATABASE_URL, 3);
  ingestPool.on('error', () => {});
  deps.lifecycle.onStop('ingest pool', () => ingestPool.end());
  const tokens = new TokenIndex(db.prisma, hub.redis, hub.prefix, { pool: ingestPool });
  void tokens
    .rebuild()
    .catch((err: Error) => logger.warn({ err: { message: err.message } }, 'token index rebuild failed'));
  const reporter = new IngestReporter(hub.redis, hub.prefix);
  reporter.start();
  deps.lifecycle.onStop('ingest reporter', () => reporter.stop());

  // One guard for the gate in front of Fastify and the heartbeat route's own checks.
  const guard = new IngestGuard();
  const webhook =
    config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
      ? telegramWebhookRoute({
          bot: createTelegramBot({
            token: config.TELEGRAM_BOT_TOKEN,
            apiRoot: config.TELEGRAM_API_ROOT,
            router: app.router,
            logger,
            ...(app.services?.telegramPacer ? { pacer: app.services.telegramPacer } : {}),
            ...(config.TELEGRAM_STAFF_CHAT_ID ? { staffChatId: config.TELEGRAM_STAFF_CHAT_ID } : {}),
          }),
          secret: config.TELEGRAM_WEBHOOK_SECRET,
          onProven: (ip) => guard.succeeded(ip),
          redis: hub.redis,
          prefix: hub.prefix,
          logger,
          init: (bot) =>
            initWithDeadline(bot, {
              apiRoot: config.TELEGRAM_API_ROOT,
              timeoutMs: config.TELEGRAM_STARTUP_TIMEOUT_SECONDS * 1000,
              logger,
            }),
        })
      : null;
  const exposure = {
    trustProxy: config.TRUST_PROXY,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
    separateMetrics: config.METRICS_PORT !== undefined,
  };
  const pipeline = {
    prefix: hub.prefix,
    rules: {
      consumerStaleMs: 15_000,
      sweepStaleMs: Math.max(15_000, 3 * config.SWEEP_INTERVAL_MS),
    },
  };
  const onShed = () => {
    metrics.heartbeatsRejected.inc({ reason: 'rate_limited' });
    reporter.shed();
  };
  const perAddress = config.TRUST_PROXY === false;
  // Held connections count against the connection cap: at most a quarter of it.
  const tarpit = new Tarpit(Math.min(HOLD_MAX, Math.floor(config.HTTP_MAX_CONNECTIONS / 4)));
  const gate = heartbeatGate(guard, { perAddress, onShed, tarpit });
  const cut = perAddress ? connectionGate(guard, { onShed, tarpit }) : null;
  const { app: web } = await buildWebServer({
    gate,
    ...(cut ? { connectionGate: cut } : {}),
    pool: db.pool,
    redis: hub.redis,
    hub,
    logger,
    metrics,
    pipeline,
    ...exposure,
    plugins: [
      heartbeatRoutes({
        guard,
        tokens,
        liveness: app.liveness,
        graceMs: config.OFFLINE_GRACE_SECONDS * 1000,
        metrics,
        reporter,
        onGpus: async (reports) => {
          await gpus.record(reports);
          await app.moderation?.noteHeartbeatGpus(reports);
        },
      }),
      ...(webhook ? [webhook] : []),
      ...(app.dashboard ? [staffDashboardRoutes(app.dashboard)] : []),
    ],
  });
  await web.listen({ port: config.HTTP_PORT, host: deps.host });
  // Held connections never get an answer: the server would wait for them to end.
  deps.lifecycle.onStop('web', () => (tarpit.release(), web.close()));
  const address = web.server.address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  let metricsPort: number | undefined;
  if (config.METRICS_PORT !== undefined) {
    const side = buildMetricsServer({
      pool: db.pool,
      redis: hub.redis,
      logger,
      metrics,
      pipeline,
      ...exposure,
    });
    await side.listen({ port: config.METRICS_PORT, host: deps.host });
    deps.lifecycle.onStop('metrics', () => side.close());
    const a = side.server.address();
    metricsPort = typeof a === 'object' && a ? a.port : config.METRICS_PORT;
  }
  logger.info({ port, ...(metricsPort !== undefined ? { metricsPort } : {}) }, 'web role listening');
  return { web, port, metricsPort };
}
