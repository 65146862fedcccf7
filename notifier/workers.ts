// The workers role: delivery per configured platform (more to come: sweep, poller, incidents).
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { DiscordSender } from '../bots/discord/sender';
import { TelegramSender } from '../bots/telegram/sender';
import type { DeliveryService } from './delivery/service';
import { startDeliveryWorker } from './delivery/worker';

export function startWorkers(deps: { config: Config; db: Db; hub: QueueHub; delivery: DeliveryService; logger: Logger }) {
  const { config, db, hub, delivery, logger } = deps;
  const common = { prisma: db.prisma, hub, delivery, logger };
  if (config.TELEGRAM_BOT_TOKEN) {
    startDeliveryWorker({ ...common, sender: new TelegramSender(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT) });
  }
  if (config.DISCORD_TOKEN) {
    startDeliveryWorker({ ...common, sender: new DiscordSender(config.DISCORD_TOKEN, config.DISCORD_API_BASE) });
  }
  logger.info('workers role started');
}
