// The bots role: one dispatcher, and a Telegram and/or Discord adapter per configured token.
import type { Config } from '../core/config';
import type { Lifecycle } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { DiscordBot } from './discord/bot';
import { Dispatcher } from './shared/dispatcher';
import type { Services } from './shared/services';
import { createTelegramBot, publishCommands } from './telegram/bot';
import { initWithDeadline, stopWithin } from './telegram/lifecycle';

export async function startBots(deps: {
  config: Config;
  services: Services;
  logger: Logger;
  lifecycle: Lifecycle;
}) {
  const { config, logger, lifecycle } = deps;
  const dispatcher = new Dispatcher(deps.services);
  const started: string[] = [];

  if (config.TELEGRAM_BOT_TOKEN) {
    const bot = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      dispatcher,
      logger,
    });
    await initWithDeadline(bot, {
      apiRoot: config.TELEGRAM_API_ROOT,
      timeoutMs: config.TELEGRAM_STARTUP_TIMEOUT_SECONDS * 1000,
      logger,
    });
    await publishCommands(bot);
    if (config.TELEGRAM_WEBHOOK_URL) {
      // Updates go to the web role(s); this role only tells Telegram where.
      await bot.api.setWebhook(config.TELEGRAM_WEBHOOK_URL, {
        ...(config.TELEGRAM_WEBHOOK_SECRET ? { secret_token: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      });
      started.push('telegram (webhook)');
    } else {
      const polling = bot.start({ drop_pending_updates: false });
      polling.catch((err: Error) =>
        logger.error({ err: { message: err.message } }, 'telegram polling stopped'),
      );
      lifecycle.onStop('telegram bot', () => stopWithin(bot));
      started.push('telegram');
    }
  }
  if (config.DISCORD_TOKEN) {
    const bot = new DiscordBot({
      token: config.DISCORD_TOKEN,
      apiBase: config.DISCORD_API_BASE,
      ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
      dispatcher,
      logger,
      onDmChannel: (userId, channelId) => deps.services.identities.setDmChat('DISCORD', userId, channelId),
    });
    lifecycle.onStop('discord bot', () => bot.stop());
    await bot.start();
    started.push('discord');
  }
  if (started.length === 0)
    logger.warn('bots role: neither TELEGRAM_BOT_TOKEN nor DISCORD_TOKEN is set, no bot runs');
  else logger.info({ bots: started }, 'bots role started');
  return { dispatcher, started };
}
