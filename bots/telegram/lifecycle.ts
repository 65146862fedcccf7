// Start-up and shutdown of the Telegram bot when the Bot API may be unreachable: say what
// is waited for and why, retry, give up at a deadline with a clear error (grammY's getMe
// otherwise waits for minutes in silence), and never let shutdown wait on the API. Losing the
// API after start is logged by reachability.ts. Error texts are scrubbed: they can echo the
// URL, which holds the bot token.
import { Api, GrammyError, type Bot } from 'grammy';
import type { Logger } from '../../core/logger';
import { scrub } from '../../core/scrub';
import { describeFailure } from './reachability';

export class TelegramStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelegramStartupError';
  }
}

/**
 * bot.init() (getMe) until it answers or the deadline passes. An API that refuses
 * connections is said so at once and retried with backoff; one that accepts and stays
 * silent is said so after a few seconds. A rejected token fails at once; `signal` (a
 * shutdown during start-up) gives up at once.
 */
export async function initWithDeadline(
  bot: Bot,
  opts: { apiRoot: string; timeoutMs: number; logger: Logger; signal?: AbortSignal; silentAfterMs?: number },
): Promise<void> {
  if (bot.isInited()) return;
  const root = scrub(opts.apiRoot);
  const timeoutS = opts.timeoutMs / 1000;
  opts.logger.info({ apiRoot: root, timeoutS }, 'connecting to the Telegram Bot API (getMe)');
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
  const cancel = () => abort.abort();
  opts.signal?.addEventListener('abort', cancel);
  const probe = new Api(bot.token, { apiRoot: opts.apiRoot });
  let attempt = 0;
  let pendingSince = Date.now();
  const silentAfterMs = opts.silentAfterMs ?? 3_000;
  const silent = setInterval(
    () =>
      Date.now() - pendingSince >= silentAfterMs &&
      opts.logger.warn(
        { apiRoot: root, timeoutS },
        `the Telegram Bot API at ${root} does not answer yet; still waiting (start-up gives up after ${timeoutS} s)`,
      ),
    silentAfterMs,
  );
  try {
    for (;;) {
      try {
        pendingSince = Date.now();
        // getMe ourselves, without the bot's transformers: bot.init() and auto-retry retry
        // a refused connection silently for minutes.
        bot.botInfo = await probe.getMe(abort.signal as Parameters<Api['getMe']>[0]);
        break;
      } catch (err) {
        if (err instanceof GrammyError && err.error_code === 401)
          throw new TelegramStartupError(
            'The Telegram Bot API rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token from @BotFather.',
          );
        if (opts.signal?.aborted) throw new TelegramStartupError('Telegram start-up cancelled by shutdown.');
        if (abort.signal.aborted)
          throw new TelegramStartupError(
            `The Telegram Bot API at ${root} did not answer getMe within ${timeoutS} s. Check TELEGRAM_API_ROOT and the network, or raise TELEGRAM_STARTUP_TIMEOUT_SECONDS.`,
          );
        attempt += 1;
        const waitMs = Math.min(5_000, 500 * 2 ** (attempt - 1));
        opts.logger.warn(
          {
            apiRoot: root,
            attempt,
            retryInS: waitMs / 1000,
            err: { message: scrub(describeFailure(err)) },
          },
          `the Telegram Bot API at ${root} cannot be reached; retrying (start-up gives up after ${timeoutS} s)`,
        );
        pendingSince = Infinity;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, waitMs);
          abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    }
  } finally {
    clearTimeout(timer);
    clearInterval(silent);
    opts.signal?.removeEventListener('abort', cancel);
  }
  opts.logger.info({ username: bot.botInfo.username }, 'Telegram Bot API answered');
}

/** bot.stop() saves the update offset with one more API call; bounded, so shutdown stays fast. */
export async function stopWithin(bot: Bot, ms = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    bot.stop().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
