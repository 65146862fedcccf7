// One webhook update through the bot, handled the way long polling handles it: middleware
// errors go to the bot's error handler (bot.catch does not apply to handleUpdate), so the
// web role can acknowledge every accepted update with 200 and Telegram never resends it.
import { BotError, type Bot } from 'grammy';
import type { Update } from '@grammyjs/types';
import type { Logger } from '../../core/logger';
import { scrub } from '../../core/scrub';

export function looksLikeUpdate(body: unknown): body is Update {
  return (
    typeof body === 'object' &&
    body !== null &&
    Number.isSafeInteger((body as { update_id?: unknown }).update_id) &&
    (body as { update_id: number }).update_id >= 0
  );
}

export async function handleWebhookUpdate(bot: Bot, update: Update, logger: Logger): Promise<void> {
  try {
    await bot.handleUpdate(update);
  } catch (err) {
    try {
      if (err instanceof BotError) await bot.errorHandler(err);
      else throw err;
    } catch (e) {
      logger.warn(
        { update: update.update_id, err: { message: scrub((e as Error)?.message ?? String(e)) } },
        'telegram update failed',
      );
    }
  }
}
