// Start-up and shutdown of the Telegram bot when the Bot API may be unreachable: say what
// is waited for, give up at a deadline with a clear error (grammY's getMe otherwise retries
// for minutes in silence), log failing API calls as they happen (scrubbed: an error text
// can echo the URL, which holds the bot token), and never let shutdown wait on the API.
import { GrammyError, type Bot, type Transformer } from 'grammy';
import type { Logger } from '../../core/logger';
import { scrub } from '../../core/scrub';

export class TelegramStartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelegramStartupError';
  }
}

/** An API transformer that logs failed calls, at most once per method every 5 s. */
export function logApiFailures(logger: Logger, everyMs = 5_000): Transformer {
  const last = new Map<string, number>();
  const report = (method: string, message: string) => {
    const now = Date.now();
    if (now - (last.get(method) ?? 0) < everyMs) return;
    last.set(method, now);
    logger.warn({ method, err: { message: scrub(message) } }, 'Telegram Bot API call failed');
  };
  return async (prev, method, payload, signal) => {
    try {
      const res = await prev(method, payload, signal);
      // API errors come back as {ok:false}; grammY throws them later, outside transformers.
      if (!res.ok && res.error_code !== 429) report(method, `${res.error_code}: ${res.description}`);
      return res;
    } catch (err) {
      if (!signal?.aborted) report(method, (err as Error).message);
      throw err;
    }
  };
}

/** bot.init() (getMe) with a deadline; a rejected token fails at once. */
export async function initWithDeadline(
  bot: Bot,
  opts: { apiRoot: string; timeoutMs: number; logger: Logger },
): Promise<void> {
  if (bot.isInited()) return;
  const root = scrub(opts.apiRoot);
  opts.logger.info(
    { apiRoot: root, timeoutS: opts.timeoutMs / 1000 },
    'waiting for the Telegram Bot API (getMe)',
  );
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
  const ticker = setInterval(
    () => opts.logger.warn({ apiRoot: root }, 'still waiting for the Telegram Bot API (getMe)'),
    5_000,
  );
  try {
    await bot.init(abort.signal as Parameters<Bot['init']>[0]);
  } catch (err) {
    if (err instanceof GrammyError && err.error_code === 401)
      throw new TelegramStartupError(
        'The Telegram Bot API rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): check the token from @BotFather.',
      );
    const why = abort.signal.aborted
      ? `no answer within ${opts.timeoutMs / 1000} s`
      : scrub((err as Error).message);
    throw new TelegramStartupError(
      `The Telegram Bot API at ${root} did not answer getMe (${why}). Check TELEGRAM_API_ROOT and the network, or raise TELEGRAM_STARTUP_TIMEOUT_SECONDS.`,
    );
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
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
