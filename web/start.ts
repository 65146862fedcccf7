// The web role: health and metrics, the heartbeat API, and Telegram updates in webhook mode.
import type { TokenIndex } from '../accounts/token-index';
import type { Router } from '../bots/shared/router';
import { createTelegramBot } from '../bots/telegram/bot';
import type { LivenessStore } from '../notifier/liveness/store';
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Lifecycle } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { GpuInventoryStore } from '../notifier/gpu-inventory';
import { heartbeatRoutes } from './heartbeat';
import { createMetrics } from './metrics';
import { buildWebServer } from './server';
import { telegramWebhookRoute } from './telegram-webhook';

export async function startWeb(deps: {
  config: Config;
  db: Db;
  hub: QueueHub;
  /** Narrow dependencies built once by the composition root (cli/compose.ts). */
  app: { tokens: TokenIndex; liveness: LivenessStore; router: Router };
  logger: Logger;
  lifecycle: Lifecycle;
  host: string;
}) {
  const { config, db, hub, app, logger } = deps;
  const metrics = createMetrics(hub);
  const gpus = new GpuInventoryStore(hub.redis, hub.prefix);
  const webhook =
    config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_WEBHOOK_URL
      ? telegramWebhookRoute(
          createTelegramBot({
            token: config.TELEGRAM_BOT_TOKEN,
            apiRoot: config.TELEGRAM_API_ROOT,
            router: app.router,
            logger,
            ...(config.TELEGRAM_STAFF_CHAT_ID ? { staffChatId: config.TELEGRAM_STAFF_CHAT_ID } : {}),
          }),
          config.TELEGRAM_WEBHOOK_SECRET,
        )
      : null;
  const { app: web } = await buildWebServer({
    pool: db.pool,
    redis: hub.redis,
    hub,
    logger,
    metrics,
    plugins: [
      heartbeatRoutes({
        tokens: app.tokens,
        liveness: app.liveness,
        graceMs: config.OFFLINE_GRACE_SECONDS * 1000,
        metrics,
        onGpus: (reports) => gpus.record(reports),
      }),
      ...(webhook ? [webhook] : []),
    ],
  });
  await web.listen({ port: config.HTTP_PORT, host: deps.host });
  deps.lifecycle.onStop('web', () => web.close());
  const address = web.server.address();
  const port = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  logger.info({ port }, 'web role listening');
  return { web, port };
}
