// Telegram in webhook mode: updates arrive as POSTs to the web role (any number of web
// processes behind a load balancer).
// - The secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token is required (config
//   refuses a webhook URL without one) and compared in constant time, before the body is read.
// - Each update_id is handled once: claimed in Redis (shared by every web process) before
//   handling, marked done after, kept a day. A resend of a done update gets 200 and nothing
//   runs; a resend while the first copy is still running gets 503 (Telegram tries later).
// - An accepted update is acknowledged with 200 even when its handler fails (the failure is
//   logged, as long polling does); a malformed update with the right secret gets 200 and a
//   log line, so Telegram does not resend it forever.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Bot } from 'grammy';
import type { Redis } from 'ioredis';
import { handleWebhookUpdate, looksLikeUpdate } from '../bots/telegram/webhook-update';
import type { Logger } from '../core/logger';

export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** How long a claimed update may run before a resend may run it again (process died). */
const CLAIM_MS = 60_000;
const DONE_SECONDS = 24 * 3600;
/** Telegram waits about this long for an answer; a slower handler finishes in the background. */
const ANSWER_WITHIN_MS = 9_000;
const MALFORMED = Symbol('malformed');

export function secretMatches(given: unknown, secret: string): boolean {
  if (typeof given !== 'string') return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(secret).digest();
  return crypto.timingSafeEqual(a, b);
}

export interface WebhookDeps {
  bot: Bot;
  secret: string;
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Waits for the Bot API (getMe) with a deadline before the route is served. */
  init: (bot: Bot) => Promise<void>;
  /**
   * A request carried the right secret: its address is Telegram's, and may open as many
   * connections as Telegram does (up to max_connections, 40 by default; see ingest-guard.ts).
   */
  onProven?: (ip: string) => void;
}

export function telegramWebhookRoute(deps: WebhookDeps) {
  const log = deps.logger.child({ platform: 'telegram', part: 'webhook' });
  return async (app: FastifyInstance) => {
    await deps.init(deps.bot);
    const botId = deps.bot.botInfo.id;
    await app.register(async (scope) => {
      // Our own parser: a body that is not JSON is a malformed update, answered 200 below.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(null, MALFORMED);
        }
      });
      scope.post(
        TELEGRAM_WEBHOOK_PATH,
        {
          onRequest: async (req, reply) => {
            if (secretMatches(req.headers[SECRET_HEADER], deps.secret)) return void deps.onProven?.(req.ip);
            await reply
              .code(401)
              .header('connection', 'close')
              .send({ error: { code: 'unauthorized', message: 'Wrong or missing secret token.' } });
            return reply;
          },
        },
        async (req, reply) => {
          const update = req.body;
          if (!looksLikeUpdate(update)) {
            log.warn(
              { body: update === MALFORMED ? 'not JSON' : typeof update },
              'malformed Telegram update ignored',
            );
            return reply.code(200).send({ ok: true });
          }
          const key = `${deps.prefix}:tg:update:${botId}:${update.update_id}`;
          const claimed = await deps.redis.set(key, 'running', 'PX', CLAIM_MS, 'NX');
          if (claimed !== 'OK') {
            const state = await deps.redis.get(key);
            if (state === 'running') return reply.code(503).send({ ok: false, retry: true });
            return reply.code(200).send({ ok: true, duplicate: true });
          }
          const run = handleWebhookUpdate(deps.bot, update, log).finally(() =>
            deps.redis.set(key, 'done', 'EX', DONE_SECONDS).catch(() => {}),
          );
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([run, new Promise((r) => (timer = setTimeout(r, ANSWER_WITHIN_MS)))]);
          clearTimeout(timer);
          return reply.code(200).send({ ok: true });
        },
      );
    });
  };
}
