// The conversation port on the Telegram Bot API: forum topics (createForumTopic), posts into
// a chat or topic (message_thread_id), edits in place (editMessageText), files. Paced and
// retried by bots/shared/port.ts; this file only makes the calls.
import { Api, GrammyError, InputFile } from 'grammy';
import type {
  CloseThreadOptions,
  MessageRef,
  OpenThreadSpec,
  Target,
  ThreadRef,
} from '../../core/conversation';
import type { Attachment, Reply } from '../../core/reply';
import type { PlatformPort } from '../shared/port';
import { classifyTelegramError } from './sender';
import { renderTelegram } from './render';

export const TELEGRAM_TOPIC_NAME_MAX = 128;

function chatAndThread(target: Target): { chatId: string; threadId?: number } {
  switch (target.kind) {
    case 'dm':
      // In a private chat the chat id is the user id.
      return { chatId: target.dmChatId ?? target.platformUserId };
    case 'channel':
      return { chatId: target.chatId };
    case 'thread':
      return { chatId: target.chatId, threadId: Number(target.threadId) };
    case 'interaction':
      throw new Error('interaction targets are answered by the adapter, not the port');
  }
}

export class TelegramConversation implements PlatformPort {
  readonly platform = 'TELEGRAM' as const;

  constructor(private readonly api: Api) {}

  static fromToken(token: string, apiRoot: string): TelegramConversation {
    return new TelegramConversation(new Api(token, { apiRoot, timeoutSeconds: 15 }));
  }

  chatOf(t: Target | MessageRef | ThreadRef | OpenThreadSpec): string {
    if ('parentChatId' in t) return t.parentChatId;
    if ('kind' in t) return t.kind === 'interaction' ? '' : chatAndThread(t).chatId;
    return t.chatId;
  }

  classify(err: unknown) {
    const out = classifyTelegramError(err);
    if (out.ok) return { ok: false as const, kind: 'transient' as const, detail: 'no error' };
    return out;
  }

  async openThread(spec: OpenThreadSpec): Promise<ThreadRef> {
    const topic = await this.api.createForumTopic(
      spec.parentChatId,
      spec.name.slice(0, TELEGRAM_TOPIC_NAME_MAX),
    );
    return { platform: 'TELEGRAM', chatId: spec.parentChatId, threadId: String(topic.message_thread_id) };
  }

  async post(target: Target, reply: Reply): Promise<MessageRef> {
    const { chatId, threadId } = chatAndThread(target);
    let last: MessageRef | null = null;
    for (const msg of renderTelegram(reply)) {
      const sent = await this.api.sendMessage(chatId, msg.text, {
        entities: msg.entities,
        ...(msg.reply_markup ? { reply_markup: msg.reply_markup } : {}),
        ...(threadId ? { message_thread_id: threadId } : {}),
        link_preview_options: { is_disabled: true },
      });
      last = this.ref(chatId, threadId, sent.message_id);
    }
    if (reply.attachment) last = await this.sendFile(target, reply.attachment);
    return last!;
  }

  async edit(ref: MessageRef, reply: Reply): Promise<MessageRef> {
    // A card is one message: the first part replaces it, buttons included (none = removed).
    const [msg] = renderTelegram(reply);
    try {
      await this.api.editMessageText(ref.chatId, Number(ref.messageId), msg!.text, {
        entities: msg!.entities,
        ...(msg!.reply_markup ? { reply_markup: msg!.reply_markup } : {}),
        link_preview_options: { is_disabled: true },
      });
    } catch (err) {
      // The same text again is not a failure: the message already shows it.
      if (!(err instanceof GrammyError && /message is not modified/.test(err.description))) throw err;
    }
    return ref;
  }

  async closeThread(ref: ThreadRef, opts: CloseThreadOptions): Promise<void> {
    if (opts.rename)
      await this.api.editForumTopic(ref.chatId, Number(ref.threadId), {
        name: opts.rename.slice(0, TELEGRAM_TOPIC_NAME_MAX),
      });
    await this.api.closeForumTopic(ref.chatId, Number(ref.threadId));
  }

  async sendFile(target: Target, file: Attachment, caption?: string): Promise<MessageRef> {
    const { chatId, threadId } = chatAndThread(target);
    const extra = {
      ...(caption ? { caption: caption.slice(0, 1024) } : {}),
      ...(threadId ? { message_thread_id: threadId } : {}),
    };
    const input = new InputFile(file.data, file.name);
    const sent = file.contentType.startsWith('image/')
      ? await this.api.sendPhoto(chatId, input, extra)
      : await this.api.sendDocument(chatId, input, extra);
    return this.ref(chatId, threadId, sent.message_id);
  }

  private ref(chatId: string, threadId: number | undefined, messageId: number): MessageRef {
    return {
      platform: 'TELEGRAM',
      chatId,
      ...(threadId ? { threadId: String(threadId) } : {}),
      messageId: String(messageId),
    };
  }
}
