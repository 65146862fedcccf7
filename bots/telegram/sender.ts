// Delivery's Telegram sender: the Bot API through grammY's Api (no polling), with the
// platform's answers turned into delivery outcomes. Retries are delivery's job, not grammY's.
import { Api, GrammyError, HttpError } from 'grammy';
import type { PartProgress, PlatformSender, SendOutcome } from '../../notifier/delivery/sender';
import type { Reply } from '../../core/reply';
import type { Logger } from '../../core/logger';
import { reachabilityFor } from './reachability';
import { renderTelegram } from './render';

export function classifyTelegramError(err: unknown): SendOutcome {
  if (err instanceof GrammyError) {
    if (err.error_code === 429) {
      const retryAfter = Number(err.parameters?.retry_after ?? 1);
      return { ok: false, kind: 'rate_limited', retryAfterMs: Math.max(1, retryAfter) * 1000 };
    }
    if (err.error_code === 403) return { ok: false, kind: 'blocked', detail: err.description };
    if (err.error_code >= 500)
      return { ok: false, kind: 'transient', detail: `${err.error_code} ${err.description}` };
    // 400 "chat not found" and the like.
    return { ok: false, kind: 'permanent', detail: `${err.error_code} ${err.description}` };
  }
  if (err instanceof HttpError) return { ok: false, kind: 'transient', detail: err.message };
  return { ok: false, kind: 'transient', detail: (err as Error)?.message ?? String(err) };
}

export class TelegramSender implements PlatformSender {
  readonly platform = 'TELEGRAM' as const;
  private readonly api: Api;

  /** With a logger, losing the API is logged once per outage, shared with the bot's own state. */
  constructor(token: string, apiRoot: string, timeoutSeconds = 15, logger?: Logger) {
    this.api = new Api(token, { apiRoot, timeoutSeconds });
    if (logger) this.api.config.use(reachabilityFor(token, logger).transformer());
  }

  async send(
    to: { platformUserId: string; dmChatId: string | null },
    reply: Reply,
    progress?: PartProgress,
  ): Promise<SendOutcome> {
    // In a private chat the chat id is the user id.
    return this.sendToChannel(to.dmChatId ?? to.platformUserId, reply, progress);
  }

  async sendToChannel(chatId: string, reply: Reply, progress: PartProgress = {}): Promise<SendOutcome> {
    try {
      const parts = renderTelegram(reply);
      for (let i = progress.fromPart ?? 0; i < parts.length; i++) {
        const msg = parts[i]!;
        await progress.beforePart?.(i);
        await this.api.sendMessage(chatId, msg.text, {
          entities: msg.entities,
          ...(msg.reply_markup ? { reply_markup: msg.reply_markup } : {}),
          link_preview_options: { is_disabled: true },
        });
        await progress.onPart?.(i);
      }
      return { ok: true };
    } catch (err) {
      return classifyTelegramError(err);
    }
  }
}
