// The bots role: a Telegram and/or Discord adapter per configured token, both over the one
// router the composition root built.
import type { Config } from '../core/config';
import type { Lifecycle } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { DiscordBot } from './discord/bot';
import type { Router } from './shared/router';
import { createTelegramBot } from './telegram/bot';
import { initWithDeadline } from './telegram/lifecycle';
import { publishCommands } from './telegram/menu';
import { startPolling } from './telegram/polling';
import type { SendPacer } from '../notifier/delivery/pacing';
import type { LatencyObserver } from './shared/latency';

export async function startBots(deps: {
  config: Config;
  router: Router;
  logger: Logger;
  lifecycle: Lifecycle;
  onDmChannel?: (userId: string, channelId: string) => Promise<void>;
  /** Telegram's send budget for this bot token, shared with alert delivery. */
  telegramPacer?: SendPacer;
  /** Discord's send budget for this bot token, shared with alert delivery. */
  discordPacer?: SendPacer;
  /** Update-in → reply-out per update, both platforms (benchmarks, metrics). */
  observeLatency?: LatencyObserver;
}) {
  const { config, logger, lifecycle, router } = deps;
  const started: string[] = [];

  if (config.TELEGRAM_BOT_TOKEN) {
    const bot = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      router,
      logger,
      ...(deps.telegramPacer ? { pacer: deps.telegramPacer } : {}),
      ...(config.TELEGRAM_STAFF_CHAT_ID ? { staffChatId: config.TELEGRAM_STAFF_CHAT_ID } : {}),
      ...(deps.observeLatency ? { observeLatency: deps.observeLatency } : {}),
    });
    // A shutdown while the Bot API is still awaited stops waiting at once.
    const startup = new AbortController();
    lifecycle.onStop('telegram start-up', () => startup.abort());
    await initWithDeadline(bot, {
      apiRoot: config.TELEGRAM_API_ROOT,
      timeoutMs: config.TELEGRAM_STARTUP_TIMEOUT_SECONDS * 1000,
      logger,
      signal: startup.signal,
    });
    await publishCommands(bot.api, router.registry, config.TELEGRAM_STAFF_CHAT_ID);
    if (config.TELEGRAM_WEBHOOK_URL) {
      // Updates go to the web role(s); this role only tells Telegram where.
      await bot.api.setWebhook(config.TELEGRAM_WEBHOOK_URL, {
        ...(config.TELEGRAM_WEBHOOK_SECRET ? { secret_token: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      });
      started.push('telegram (webhook)');
    } else {
      const polling = await startPolling(bot, logger);
      lifecycle.onStop('telegram bot', () => polling.stop());
      started.push('telegram');
    }
  }
  if (config.DISCORD_TOKEN) {
    const guild = config.DISCORD_GUILD_ID;
    const elsewhere = Object.keys(config.DISCORD_SUPPORT_CHANNELS).filter((g) => g !== guild);
    // Commands go to DISCORD_GUILD_ID only (bots/discord/bot.ts): members of the other
    // guilds would have no /ticket to open their guild's tickets with.
    if (guild && elsewhere.length)
      logger.warn(
        { guild, elsewhere },
        'DISCORD_SUPPORT_CHANNELS names guilds other than DISCORD_GUILD_ID, whose members see no commands: leave DISCORD_GUILD_ID unset for global commands',
      );
    const bot = new DiscordBot({
      token: config.DISCORD_TOKEN,
      apiBase: config.DISCORD_API_BASE,
      ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
      router,
      logger,
      staffChannelIds: [config.DISCORD_MOD_CHANNEL_ID].filter((x): x is string => !!x),
      ...(deps.onDmChannel ? { onDmChannel: deps.onDmChannel } : {}),
      ...(deps.discordPacer ? { pacer: deps.discordPacer } : {}),
      ...(deps.observeLatency ? { observeLatency: deps.observeLatency } : {}),
    });
    lifecycle.onStop('discord bot', () => bot.stop());
    await bot.start();
    started.push('discord');
  }
  if (started.length === 0)
    logger.warn('bots role: neither TELEGRAM_BOT_TOKEN nor DISCORD_TOKEN is set, no bot runs');
  else logger.info({ bots: started }, 'bots role started');
  return { router, started };
}
