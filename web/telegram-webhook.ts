// Telegram in webhook mode: updates arrive as POSTs to the web role (any number of web
// processes behind a load balancer), checked against the secret token Telegram echoes.
import type { FastifyInstance } from 'fastify';
import { webhookCallback, type Bot } from 'grammy';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

export function telegramWebhookRoute(bot: Bot, secretToken?: string) {
  return async (app: FastifyInstance) => {
    await bot.init();
    const handle = webhookCallback(bot, 'fastify', {
      ...(secretToken ? { secretToken } : {}),
      onTimeout: 'return',
      timeoutMilliseconds: 9_000,
    });
    app.post(TELEGRAM_WEBHOOK_PATH, handle);
  };
}
