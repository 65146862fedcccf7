import { Bot, type BotError, type Context } from 'grammy';
import type { TelegramSandbox } from './control';

/**
 * A real grammY bot pointed at the sandbox, for this folder's tests: errors reach
 * bot.catch and can be awaited; stop() ends long polling and waits for the loop to end.
 */
export class SandboxBot {
  readonly bot: Bot;
  private running: Promise<void> | undefined;
  private readonly errors: BotError<Context>[] = [];
  private readonly waiting: Array<(err: BotError<Context>) => void> = [];

  constructor(tg: TelegramSandbox) {
    this.bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    this.bot.catch((err) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(err);
      else this.errors.push(err);
    });
  }

  /** Starts long polling; resolves once getMe and deleteWebhook succeeded. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.running = this.bot.start({ onStart: () => resolve() }).catch((err: unknown) => reject(err));
    });
  }

  /** The next error the middleware threw (already thrown ones first). */
  nextError(): Promise<BotError<Context>> {
    const ready = this.errors.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async stop(): Promise<void> {
    if (this.bot.isRunning()) await this.bot.stop();
    await this.running;
  }
}
