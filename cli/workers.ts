// The workers role: delivery per configured platform (the platform senders are wired
// here, in the composition root, so notifier/ never imports a chat library) and the notifier engine.
import { IdentityService } from '../accounts/identity';
import { pruneChallenges } from '../accounts/wallets';
import type { Config } from '../core/config';
import type { Db } from '../core/db';
import type { Lifecycle } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import { DiscordSender } from '../bots/discord/sender';
import { TelegramSender } from '../bots/telegram/sender';
import type { DeliveryService } from '../notifier/delivery/service';
import { startDeliveryWorker } from '../notifier/delivery/worker';
import { record429 } from '../dashboard/fleet';
import { startFleetRollup } from '../dashboard/fleet-rollup';
import type { Platform } from '@prisma/client';
import { pacerFactory, type PacerFactory } from './pacers';
import { NotifierEngine, rulesFromConfig, type NotifierStores } from '../notifier/engine';
import { StaffNotifier } from '../notifier/staff';
import type { ConversationPort } from '../core/conversation';
import { ConversationCardPort } from '../moderation/card-port';
import { networkFacts } from '../moderation/evidence-store';
import type { Moderation } from '../moderation/service';

export async function startWorkers(deps: {
  config: Config;
  db: Db;
  hub: QueueHub;
  delivery: DeliveryService;
  stores: NotifierStores;
  logger: Logger;
  lifecycle: Lifecycle;
  moderation?: Moderation;
  conversation?: ConversationPort;
  pacers?: PacerFactory;
}): Promise<NotifierEngine> {
  const { config, db, hub, delivery, logger, lifecycle, moderation } = deps;
  const common = {
    prisma: db.prisma,
    pool: db.pool,
    hub,
    delivery,
    logger,
    identities: new IdentityService(db.prisma, db.pool),
    // Counted for the dashboard's fleet page (429s per platform and hour).
    onRateLimited: (platform: Platform) => void record429(hub.redis, hub.prefix, platform).catch(() => {}),
  };
  const pacerFor = deps.pacers ?? pacerFactory(hub.redis, hub.prefix);
  const staffTargets = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    const sender = new TelegramSender(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT, 15, logger);
    const pacer = pacerFor('TELEGRAM', config.TELEGRAM_BOT_TOKEN);
    startDeliveryWorker({ ...common, sender, pacer });
    if (config.TELEGRAM_STAFF_CHAT_ID)
      staffTargets.push({ sender, channelId: config.TELEGRAM_STAFF_CHAT_ID });
  }
  if (config.DISCORD_TOKEN) {
    const sender = new DiscordSender(config.DISCORD_TOKEN, config.DISCORD_API_BASE);
    startDeliveryWorker({
      ...common,
      sender,
      pacer: pacerFor('DISCORD', config.DISCORD_TOKEN),
    });
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
    ...(moderation
      ? { onNetworkNodes: async (nodes) => void (await moderation.ingest(nodes.map((n) => networkFacts(n)))) }
      : {}),
    // A network's own verdicts (io.net `blocked`) open or update detected moderation cases.
    ...(moderation ? { verdicts: moderation } : {}),
  });
  // Moderation: evidence jobs, and case cards in the staff group's "Reports" topic and the moderators' channel.
  if (moderation)
    moderation.startWorkers(
      deps.conversation
        ? new ConversationCardPort({
            conversation: deps.conversation,
            prisma: db.prisma,
            redis: hub.redis,
            prefix: hub.prefix,
            ...(config.TELEGRAM_BOT_TOKEN && config.TELEGRAM_STAFF_CHAT_ID
              ? { telegramStaffChatId: config.TELEGRAM_STAFF_CHAT_ID }
              : {}),
            ...(config.DISCORD_TOKEN && config.DISCORD_MOD_CHANNEL_ID
              ? { discordModChannelId: config.DISCORD_MOD_CHANNEL_ID }
              : {}),
            cardLocale: config.MODERATION_CARD_LOCALE,
            logger,
          })
        : undefined,
    );
  await engine.start();
  lifecycle.onStop('notifier', () => engine.stop());
  // The dashboard's fleet chart reads per-hour counts; the hub closes the worker on stop.
  await startFleetRollup(hub, db.pool);
  // Expired wallet challenges are useless; any number of workers may prune (idempotent).
  const prune = () =>
    void pruneChallenges(db.prisma).catch((err: Error) =>
      logger.warn({ err: { message: err.message } }, 'challenge prune failed'),
    );
  prune();
  const pruning = setInterval(prune, 3_600_000).unref();
  lifecycle.onStop('challenge prune', () => clearInterval(pruning));
  logger.info('workers role started');
  return engine;
}
