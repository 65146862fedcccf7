// Thin grammY adapter: turns updates into router calls (commands, callback queries, free
// text) and renders the outcome. No business rule lives here.
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, GrammyError, HttpError, type Context } from 'grammy';
import type { Logger } from '../../core/logger';
import { parseArgs } from '../shared/registry';
import type { Routed, Router } from '../shared/router';
import { inbound, mentionOf, parseCommand, telegramFile } from './inbound';
import { respond } from './respond';
import { reachabilityFor, retryNetworkErrors } from './reachability';
import { pacingTransformer } from './pacing';
import type { SendPacer } from '../../notifier/delivery/pacing';
import { sequentialize } from '@grammyjs/runner';
import type { LatencyObserver } from '../shared/latency';
import { replyClock, stampArrivals } from './latency';
import { telegramFileFetcher } from './files';

export { contactOf, mentionOf, parseCommand } from './inbound';

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
