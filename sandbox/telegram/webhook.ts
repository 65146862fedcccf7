import type { Update } from '@grammyjs/types';
import { httpRequest } from './http-client';
import { unixNow, type WebhookConfig, type World } from './state';

export interface WebhookOptions {
  /** First wait after a failed delivery; doubles up to maxRetryDelayMs (Telegram backs off too). */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** How long the bot's server may take to answer one update. */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  retryDelayMs: 100,
  maxRetryDelayMs: 2_000,
  timeoutMs: 10_000,
};

type ReplyExecutor = (method: string, params: Record<string, unknown>) => Promise<void>;

/**
 * Delivers pending updates to the webhook one at a time, in order, retrying until the
 * bot's server answers 2xx. A JSON body with a "method" field in that answer is executed
 * as an API call, as Telegram does for webhook replies.
 */
export class WebhookDelivery {
  private running = false;
  private stopped = false;
  private delay: number;
  private wake: (() => void) | undefined;
  private readonly inFlight = new AbortController();

  constructor(
    private readonly world: World,
    private readonly opts: WebhookOptions,
    private readonly executeReply: ReplyExecutor,
  ) {
    this.delay = opts.retryDelayMs;
    world.on('update', this.kick);
    world.on('webhook', this.restart);
  }

  private readonly kick = (): void => {
    if (!this.running && !this.stopped) void this.loop();
  };

  /** A new or changed webhook: forget the backoff and try at once. */
  private readonly restart = (): void => {
    this.delay = this.opts.retryDelayMs;
    this.wake?.();
    this.kick();
  };

  stop(): void {
    this.stopped = true;
    this.world.off('update', this.kick);
    this.world.off('webhook', this.restart);
    this.inFlight.abort();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const hook = this.world.webhook;
        const update = this.world.pending[0];
        if (this.stopped || !hook || !update) return;
        if (await this.deliver(hook, update)) {
          if (this.world.pending[0]?.update_id === update.update_id) this.world.confirm(update.update_id + 1);
          this.delay = this.opts.retryDelayMs;
        } else {
          await this.sleep(this.delay);
          this.delay = Math.min(this.delay * 2, this.opts.maxRetryDelayMs);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(hook: WebhookConfig, update: Update): Promise<boolean> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secretToken) headers['x-telegram-bot-api-secret-token'] = hook.secretToken;
    let failure: string;
    try {
      const res = await httpRequest(hook.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(update),
        timeoutMs: this.opts.timeoutMs,
        signal: this.inFlight.signal,
      });
      if (res.status >= 200 && res.status < 300) {
        await this.webhookReply(res.headers['content-type'], res.body);
        return true;
      }
      failure = `Wrong response from the webhook: ${res.status} ${res.statusText}`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      failure = code === 'ECONNREFUSED' ? 'Connection refused' : (err as Error).message;
    }
    if (this.stopped) return false;
    hook.lastErrorDate = unixNow();
    hook.lastErrorMessage = failure;
    this.world.changed();
    return false;
  }

  private async webhookReply(contentType: string | undefined, body: Buffer): Promise<void> {
    if (!contentType?.includes('json') || body.length === 0) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    if (!parsed || typeof parsed !== 'object') return;
    const { method, ...params } = parsed as Record<string, unknown>;
    if (typeof method === 'string') await this.executeReply(method, params);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
