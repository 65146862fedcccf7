// Long polling with updates handled concurrently (@grammyjs/runner). grammY's own
// `bot.start()` handles one update at a time: each waits for the previous one's replies to
// reach Telegram, so one slow chat delays every other user. Order within one chat and one
// user is kept by the `sequentialize` middleware in createTelegramBot.
import { run, type RunnerHandle } from '@grammyjs/runner';
import type { Bot } from 'grammy';
import type { Logger } from '../../core/logger';

/** Updates in flight at once; past this the runner fetches smaller batches. */
const CONCURRENCY = 200;

export interface Polling {
  stop(): Promise<void>;
}

export async function startPolling(bot: Bot, logger: Logger, stopWithinMs = 2_000): Promise<Polling> {
  // Like bot.start(): a webhook left from an earlier deployment would make getUpdates fail (409).
  await bot.api.deleteWebhook({ drop_pending_updates: false });
  let lastUpdateId: number | undefined;
  bot.api.config.use(async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (method === 'getUpdates' && res.ok)
      for (const u of res.result as { update_id: number }[])
        lastUpdateId = Math.max(lastUpdateId ?? 0, u.update_id);
    return res;
  });
  const handle: RunnerHandle = run(bot, {
    // Failing getUpdates calls are logged by reachability.ts (one line per outage, scrubbed).
    // A steady retry, not a doubling one: the bot hears again within 2 s of the API's return.
    runner: { silent: true, retryInterval: 2_000, maxRetryTime: 365 * 86_400_000 },
    sink: { concurrency: CONCURRENCY },
  });
  void handle
    .task()
    ?.catch((err: Error) => logger.error({ err: { message: err.message } }, 'telegram polling stopped'));
  return {
    async stop() {
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, stopWithinMs);
        timer.unref();
      });
      await Promise.race([
        (async () => {
          await handle.stop(); // waits for the middleware still running
          // Confirms the handled updates, so a restart does not receive (and answer) them again.
          if (lastUpdateId !== undefined)
            await bot.api.getUpdates({ offset: lastUpdateId + 1, limit: 1, timeout: 0 }).catch(() => {});
        })(),
        bounded,
      ]);
      clearTimeout(timer);
    },
  };
}
