// Thin grammY adapter: turns updates into command invocations for the shared
// dispatcher and sends back the rendered replies. No business rule lives here.
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, InputFile, type Context } from 'grammy';
import type { User } from '@grammyjs/types';
import type { Contact } from '../../accounts/identity';
import { LOCALES, t } from '../../core/i18n';
import type { Logger } from '../../core/logger';
import { COMMANDS, COMMANDS_BY_NAME, parseArgs } from '../shared/commands';
import { Dispatcher } from '../shared/dispatcher';
import type { Reply } from '../../core/reply';
import { renderTelegram } from './render';
import { logApiFailures } from './lifecycle';

export interface TelegramBotOptions {
  token: string;
  apiRoot: string;
  dispatcher: Dispatcher;
  logger: Logger;
}

export function contactOf(from: User, chatId?: number, chatType?: string): Contact {
  return {
    platform: 'TELEGRAM',
    platformUserId: String(from.id),
    username: from.username ?? from.first_name,
    languageCode: from.language_code ?? null,
    dmChatId: chatType === 'private' && chatId !== undefined ? String(chatId) : null,
  };
}

const displayName = (from: User) =>
  [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || '';

/** `/cmd@bot args` → { command, raw } (null when not a command, or addressed to another bot). */
export function parseCommand(text: string, botUsername: string): { command: string; raw: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  if (m[2] && m[2].toLowerCase() !== botUsername.toLowerCase()) return null;
  return { command: m[1]!.toLowerCase(), raw: m[3] ?? '' };
}

async function send(ctx: Context, reply: Reply): Promise<void> {
  // Tokens, wallets and node lists asked for in a group go to the asker's private chat.
  if (reply.private && ctx.chat && ctx.chat.type !== 'private' && ctx.from) {
    try {
      await sendTo(ctx.api, ctx.from.id, reply);
      if (reply.groupNotices) await ctx.reply(reply.groupNotices.sentToDm);
    } catch {
      // 403: the user never opened a chat with the bot.
      if (reply.groupNotices) await ctx.reply(reply.groupNotices.openDmFirst);
    }
    return;
  }
  await sendTo(ctx.api, ctx.chat!.id, reply);
}

async function sendTo(api: Context['api'], chatId: number, reply: Reply): Promise<void> {
  for (const msg of renderTelegram(reply)) {
    await api.sendMessage(chatId, msg.text, {
      entities: msg.entities,
      ...(msg.reply_markup ? { reply_markup: msg.reply_markup } : {}),
      link_preview_options: { is_disabled: true },
    });
  }
  if (reply.attachment?.contentType.startsWith('image/')) {
    await api.sendPhoto(chatId, new InputFile(reply.attachment.data, reply.attachment.name));
  } else if (reply.attachment) {
    await api.sendDocument(chatId, new InputFile(reply.attachment.data, reply.attachment.name));
  }
}

export function createTelegramBot(opts: TelegramBotOptions): Bot {
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot } });
  const log = opts.logger.child({ platform: 'telegram' });
  // Installed first, so it runs inside the retries: each failing call is logged as it happens.
  bot.api.config.use(logApiFailures(log));
  // 429s honour retry_after; 5xx and network errors are retried a few times too.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: false }));

  bot.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    const isPrivate = ctx.chat.type === 'private';
    const parsed = parseCommand(text, ctx.me.username);
    let command: string;
    let args: Record<string, string>;
    if (parsed) {
      const spec = COMMANDS_BY_NAME.get(parsed.command);
      command = parsed.command;
      args = spec ? parseArgs(spec, parsed.raw) : {};
    } else if (!isPrivate) {
      return; // in groups we answer only commands addressed to us
    } else if (text.startsWith('/')) {
      command = text.slice(1).split(/\s/, 1)[0]!.slice(0, 32); // malformed command: "unknown command" answer
      args = {};
    } else {
      command = 'ask'; // in private, plain text is a question
      args = { question: text };
    }
    const reply = await opts.dispatcher.run({
      contact: contactOf(ctx.from, ctx.chat.id, ctx.chat.type),
      displayName: displayName(ctx.from),
      command,
      args,
      rawLength: text.length,
    });
    await send(ctx, reply);
  });

  bot.on('callback_query:data', async (ctx) => {
    const from = ctx.from;
    const chat = ctx.chat;
    const reply = await opts.dispatcher.press(
      contactOf(from, chat?.id, chat?.type),
      displayName(from),
      ctx.callbackQuery.data,
    );
    await ctx.answerCallbackQuery();
    await send(ctx, reply);
  });

  bot.catch((err) => {
    const e = err.error;
    const what =
      e instanceof GrammyError
        ? { code: e.error_code, description: e.description, method: e.method }
        : e instanceof HttpError
          ? { http: e.message }
          : { message: (e as Error)?.message };
    log.warn({ update: err.ctx.update.update_id, ...what }, 'telegram update failed');
  });
  return bot;
}

/** The command menu, in each language (Telegram picks by the user's app language). */
export async function publishCommands(bot: Bot): Promise<void> {
  for (const locale of LOCALES) {
    const commands = COMMANDS.map((c) => ({
      command: c.name,
      description: t(locale, c.helpKey).slice(0, 256),
    }));
    await bot.api.setMyCommands(commands, locale === 'en' ? {} : { language_code: locale });
  }
}
