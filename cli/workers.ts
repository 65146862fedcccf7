// The workers role: delivery per configured platform (the platform senders are wired
// here, in the composition root, so notifier/ never imports a chat library) and the notifier engine.
import { IdentityService } from '../accounts/identity';
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Lifecycle } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { DiscordSender } from '../bots/discord/sender';
import { TelegramSender } from '../bots/telegram/sender';
import type { DeliveryService } from '../notifier/delivery/service';
import { startDeliveryWorker } from '../notifier/delivery/worker';
import { NotifierEngine, rulesFromConfig, type NotifierStores } from '../notifier/engine';
import { StaffNotifier } from '../notifier/staff';

export async function startWorkers(deps: {
  config: Config;
  db: Db;
  hub: QueueHub;
  delivery: DeliveryService;
  stores: NotifierStores;
  logger: Logger;
  lifecycle: Lifecycle;
}): Promise<NotifierEngine> {
  const { config, db, hub, delivery, logger, lifecycle } = deps;
  const common = { prisma: db.prisma, hub, delivery, logger, identities: new IdentityService(db.prisma) };
  const staffTargets = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    const sender = new TelegramSender(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT);
    startDeliveryWorker({ ...common, sender });
    if (config.TELEGRAM_STAFF_CHAT_ID)
      staffTargets.push({ sender, channelId: config.TELEGRAM_STAFF_CHAT_ID });
  }
  if (config.DISCORD_TOKEN) {
    const sender = new DiscordSender(config.DISCORD_TOKEN, config.DISCORD_API_BASE);
    startDeliveryWorker({ ...common, sender });
    if (config.DISCORD_MOD_CHANNEL_ID)
      staffTargets.push({ sender, channelId: config.DISCORD_MOD_CHANNEL_ID });
  }
  const staff = new StaffNotifier(staffTargets, logger);
  const engine = new NotifierEngine({
    db,
    hub,
    delivery,
    logger,
    redisUrl: config.REDIS_URL,
    rules: rulesFromConfig(config),
    staff,
    stores: deps.stores,
  });
  await engine.start();
  lifecycle.onStop('notifier', () => engine.stop());
  logger.info('workers role started');
  return engine;
}
