// Thin grammY adapter: turns updates into router calls (commands, callback queries, free
// text) and renders the outcome. No business rule lives here.
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, InputFile, type Context } from 'grammy';
import type { User } from '@grammyjs/types';
import type { Contact } from '../../accounts/identity';
import type { InboundFile, Origin } from '../../core/feature';
import type { Logger } from '../../core/logger';
import type { Reply } from '../../core/reply';
import { parseArgs } from '../shared/registry';
import type { Inbound, Routed, Router } from '../shared/router';
import { renderTelegram } from './render';
import { reachabilityFor, retryNetworkErrors } from './reachability';
import { pacingTransformer } from './pacing';
import type { SendPacer } from '../../notifier/delivery/pacing';
import { sequentialize } from '@grammyjs/runner';
import type { LatencyObserver } from '../shared/latency';
import { replyClock, stampArrivals } from './latency';
import { telegramFileFetcher } from './files';

export interface TelegramBotOptions {
  token: string;
  apiRoot: string;
  router: Router;
  logger: Logger;
  /** The bot token's send budget, shared with alert delivery (one per token, all processes). */
  pacer?: SendPacer;
  staffChatId?: string;
  /** Update-in → reply-out per update (benchmarks, metrics). */
  observeLatency?: LatencyObserver;
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

function originOf(ctx: Context, staffChatId?: string): Origin {
  const chat = ctx.chat!;
  const chatId = String(chat.id);
  if (chat.type === 'private') return { kind: 'dm', platform: 'TELEGRAM', chatId };
  const staff = chatId === staffChatId;
  const msg = ctx.message ?? ctx.editedMessage ?? ctx.callbackQuery?.message;
  const thread = msg && 'is_topic_message' in msg && msg.is_topic_message ? msg.message_thread_id : undefined;
  return thread
    ? { kind: 'thread', platform: 'TELEGRAM', chatId, threadId: String(thread), staff }
    : { kind: 'group', platform: 'TELEGRAM', chatId, staff };
}

function inbound(ctx: Context, staffChatId?: string, rawLength?: number): Inbound {
  const from = ctx.from!;
  const origin = originOf(ctx, staffChatId);
  const msg = ctx.message ?? ctx.editedMessage ?? ctx.callbackQuery?.message;
  return {
    contact: contactOf(from, ctx.chat?.id, ctx.chat?.type),
    displayName: displayName(from),
    origin,
    here: {
      kind: 'interaction',
      platform: 'TELEGRAM',
      interactionId: String(ctx.update.update_id),
      visibility: 'ephemeral',
    },
    ...(msg
      ? {
          message: {
            platform: 'TELEGRAM' as const,
            chatId: String(msg.chat.id),
            ...(origin.kind === 'thread' ? { threadId: origin.threadId } : {}),
            messageId: String(msg.message_id),
          },
        }
      : {}),
    ...(rawLength !== undefined ? { rawLength } : {}),
  };
}

/** The file of a photo (its largest size) or document message, by Telegram file id. */
function telegramFile(m: NonNullable<Context['message']>): InboundFile {
  if (m.document)
    return {
      name: (m.document.file_name ?? 'document').slice(0, 200),
      ref: m.document.file_id,
      ...(m.document.mime_type ? { contentType: m.document.mime_type } : {}),
      ...(m.document.file_size !== undefined ? { size: m.document.file_size } : {}),
    };
  const best = [...(m.photo ?? [])].sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
  return {
    name: 'photo.jpg',
    contentType: 'image/jpeg',
    ref: best.file_id,
    ...(best.file_size !== undefined ? { size: best.file_size } : {}),
  };
}

async function sendTo(api: Context['api'], chatId: number, reply: Reply, threadId?: number): Promise<void> {
  const thread = threadId ? { message_thread_id: threadId } : {};
  for (const msg of renderTelegram(reply)) {
    await api.sendMessage(chatId, msg.text, {
      entities: msg.entities,
      ...(msg.reply_markup ? { reply_markup: msg.reply_markup } : {}),
      ...thread,
      link_preview_options: { is_disabled: true },
    });
  }
  if (reply.attachment?.contentType.startsWith('image/')) {
    await api.sendPhoto(chatId, new InputFile(reply.attachment.data, reply.attachment.name), thread);
  } else if (reply.attachment) {
    await api.sendDocument(chatId, new InputFile(reply.attachment.data, reply.attachment.name), thread);
  }
}

async function send(ctx: Context, reply: Reply, inb: Inbound): Promise<void> {
  // Tokens, wallets and node lists asked for in a group go to the asker's private chat.
  if (reply.private && ctx.chat && ctx.chat.type !== 'private' && ctx.from) {
    const chatId = ctx.chat.id;
    const notice = async (text: string | undefined) => {
      if (text) await sendTo(ctx.api, chatId, { blocks: [{ kind: 'text', text }] }, threadOf(inb));
    };
    try {
      await sendTo(ctx.api, ctx.from.id, reply);
      await notice(reply.groupNotices?.sentToDm);
    } catch {
      // 403: the user never opened a chat with the bot.
      await notice(reply.groupNotices?.openDmFirst);
    }
    return;
  }
  await sendTo(ctx.api, ctx.chat!.id, reply, threadOf(inb));
}

const threadOf = (inb: Inbound) => (inb.origin.kind === 'thread' ? Number(inb.origin.threadId) : undefined);

/** Renders an outcome. Callback answers are sent by the caller (exactly once). */
async function respond(ctx: Context, routed: Routed, inb: Inbound, router: Router): Promise<void> {
  const o = routed.outcome;
  switch (o.kind) {
    case 'modal':
      // No modals on Telegram: the same form is asked one field at a time.
      return respond(ctx, await router.forms.start(inb, routed.modal!), inb, router);
    case 'reply':
      return send(ctx, o.reply, inb);
    case 'update': {
      const msg = ctx.callbackQuery?.message;
      if (!msg) return send(ctx, o.reply, inb);
      const [first] = renderTelegram(o.reply);
      try {
        await ctx.api.editMessageText(msg.chat.id, msg.message_id, first!.text, {
          entities: first!.entities,
          ...(first!.reply_markup ? { reply_markup: first!.reply_markup } : {}),
          link_preview_options: { is_disabled: true },
        });
      } catch (err) {
        if (!(err instanceof GrammyError && /message is not modified/.test(err.description))) throw err;
      }
      return;
    }
    case 'toast':
      // Not from a callback (a refused command): say it as a private note.
      if (!ctx.callbackQuery)
        await send(ctx, { blocks: [{ kind: 'text', text: o.text }], private: true }, inb);
      return;
    case 'none':
      return;
  }
}

/** The question in a group message that mentions the bot (`@bot …`), or null. */
export function mentionOf(text: string, botUsername: string): string | null {
  const re = new RegExp(`(^|\\s)@${botUsername.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'i');
  if (!re.test(text)) return null;
  return text.replace(re, ' ').trim();
}

/** "typing…" while the answer is prepared (an AI answer can take seconds); best effort. */
const TYPING_AFTER_MS = 300;
const typing = (ctx: Context) => void ctx.replyWithChatAction('typing').catch(() => {});

export function createTelegramBot(opts: TelegramBotOptions): Bot {
  // A call's deadline: a long poll holds 30 s, so 45 s means the API went silent (grammY's
  // default, 500 s, would leave the bot deaf for minutes after a network partition).
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot, timeoutSeconds: 45 } });
  const log = opts.logger.child({ platform: 'telegram' });
  // Installed first, so it runs inside the retries: it sees every attempt, and logs one line
  // when the API is lost and one when it is back (shared with alert delivery's sender).
  bot.api.config.use(reachabilityFor(opts.token, opts.logger).transformer());
  if (opts.pacer) bot.api.config.use(pacingTransformer(opts.pacer)); // inside auto-retry: a retry paces too
  // 429s honour retry_after; 5xx are retried a few times. Network errors: see retryNetworkErrors.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: true }));
  bot.api.config.use(retryNetworkErrors());
  const { router } = opts;
  if (opts.observeLatency) {
    bot.api.config.use(stampArrivals);
    bot.use(replyClock(opts.observeLatency));
  }
  // Updates are handled concurrently (bots/telegram/polling.ts; webhooks by nature), but one
  // chat's and one user's updates in order: a dialogue's answers, a press after its message.
  bot.use(sequentialize((ctx) => [ctx.chat?.id, ctx.from?.id].filter((x) => x !== undefined).map(String)));

  bot.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    const isPrivate = ctx.chat.type === 'private';
    const inb = inbound(ctx, opts.staffChatId, text.length);
    const parsed = parseCommand(text, ctx.me.username);
    let routed: Routed | null;
    if (parsed) {
      if (parsed.command === 'ask') typing(ctx);
      const found = router.registry.command(parsed.command);
      routed = await router.command(inb, parsed.command, found ? parseArgs(found.command, parsed.raw) : {});
    } else if (isPrivate && text.startsWith('/')) {
      // A malformed command: the "unknown command" answer.
      routed = await router.command(inb, text.slice(1).split(/\s/, 1)[0]!.slice(0, 32), {});
    } else if (isPrivate || inb.origin.kind === 'thread') {
      // Free text: a running dialogue, then whoever holds the conversation (ticket, assistant).
      // "typing…" only for a slow answer (AI): a relayed ticket message answers nothing.
      const slow = setTimeout(() => typing(ctx), TYPING_AFTER_MS);
      try {
        routed = await router.text(inb, text);
      } finally {
        clearTimeout(slow);
      }
    } else if (mentionOf(text, ctx.me.username)) {
      // In groups, a mention of the bot is a question for the assistant, like /ask.
      typing(ctx);
      routed = await router.command(inb, 'ask', { question: mentionOf(text, ctx.me.username)! });
    } else {
      return; // in groups we answer only commands addressed to us
    }
    if (routed) await respond(ctx, routed, inb, router);
  });

  // A photo or document in a private chat: captioned with a command (`/report <node> <reason>`),
  // it runs the command with the file; otherwise it answers a form's file step or goes to
  // whoever holds the conversation (a ticket relays it). In a topic: a staff reply's file.
  const fetchFile = telegramFileFetcher(bot.api, opts.apiRoot, opts.token);
  bot.on(['message:photo', 'message:document'], async (ctx) => {
    const caption = ctx.message.caption ?? '';
    const base = inbound(ctx, opts.staffChatId, caption.length);
    if (ctx.chat.type !== 'private' && base.origin.kind !== 'thread') return;
    const inb = { ...base, files: [telegramFile(ctx.message)], fetchFile };
    const parsed = parseCommand(caption, ctx.me.username);
    const found = parsed && router.registry.command(parsed.command);
    const routed = parsed
      ? await router.command(inb, parsed.command, found ? parseArgs(found.command, parsed.raw) : {})
      : await router.text(inb, caption);
    if (routed) await respond(ctx, routed, inb, router);
  });

  // An edited message (its text, or a file's caption) in a DM or a topic: a relayed copy is
  // edited in place. Nothing is answered.
  bot.on(['edited_message:text', 'edited_message:caption'], async (ctx) => {
    const m = ctx.editedMessage;
    const body = m.text ?? m.caption ?? '';
    const inb = inbound(ctx, opts.staffChatId, body.length);
    if (ctx.chat.type !== 'private' && inb.origin.kind !== 'thread') return;
    await router.edited(inb, body);
  });

  bot.on('callback_query:data', async (ctx) => {
    let answered = false;
    try {
      const inb = inbound(ctx, opts.staffChatId);
      const routed = await router.button(inb, ctx.callbackQuery.data);
      const o = routed.outcome;
      answered = true;
      // Answered first and not waited for: the reply does not wait on a round trip to Telegram.
      const answering = ctx.answerCallbackQuery(
        o.kind === 'toast' ? { text: o.text.slice(0, 200), show_alert: o.alert ?? false } : {},
      );
      await Promise.all([answering, respond(ctx, routed, inb, router)]);
    } finally {
      // Every callback query is answered, even when the handler failed.
      if (!answered) await ctx.answerCallbackQuery().catch(() => {});
    }
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
