import type {
  CallbackQuery,
  InlineKeyboardButton,
  Message,
  MessageEntity,
  ReplyKeyboardMarkup,
  Update,
  User,
} from '@grammyjs/types';
import { fixFormattedText } from './entities';
import { inlineButtons } from './keyboard';
import { imageSize } from './media';
import { asReply, captionFields, commonFields, findMessage, textFields } from './methods/common';
import { storeFile } from './methods/files';
import { unixNow, type CallbackAnswer, type ChatRecord, type World } from './state';
import { waitUntil } from './wait';

/** A message as a user types it: plain text (entities detected like Telegram) or text with explicit entities. */
export type MessageInput = string | { text: string; entities?: MessageEntity[] };

/** Picks an inline button by callback_data, or by its label. */
export type ButtonSelector = string | { text: string };

export interface WaitOptions {
  timeoutMs?: number;
}

export interface HandleEnv {
  world: World;
  defaultTimeoutMs: number;
}

const clone = <T>(v: T): T => structuredClone(v);

/** What tests share between private chats and groups: reading the bot's messages and pressing its buttons. */
export abstract class ChatHandle {
  /** Message ids nextMessage() already returned through this handle. */
  private readonly returned = new Set<number>();

  constructor(
    protected readonly env: HandleEnv,
    protected readonly record: ChatRecord,
  ) {}

  get chatId(): number {
    return this.record.chat.id;
  }

  /** The reply keyboard the bot last showed in this chat (undefined once removed). */
  replyKeyboard(): ReplyKeyboardMarkup | undefined {
    return clone(this.record.replyKeyboard);
  }

  /** A user's message or edit, as the update the bot will receive. */
  protected post(
    from: User,
    input: MessageInput,
    opts: { threadId?: number; replyTo?: Message | number; extra?: Partial<Message> } = {},
  ): Message {
    const world = this.env.world;
    const reply = this.replyTarget(opts.replyTo);
    const threadId = this.threadFor(opts.threadId, reply);
    const text = typeof input === 'string' ? input : input.text;
    let fields: Partial<Message> = {};
    if (typeof input !== 'string' && input.entities) {
      fields = input.entities.length ? { text, entities: input.entities } : { text };
    } else if (text !== '' || !opts.extra) {
      const formatted = fixFormattedText(text, []);
      if (!formatted.text) throw new Error('Telegram does not send empty messages');
      fields = textFields(formatted);
    }
    if (opts.extra) {
      const caption =
        fields.text !== undefined ? { text: fields.text, entities: fields.entities ?? [] } : undefined;
      fields = { ...opts.extra, ...captionFields(caption) };
    }
    const stored = world.addMessage(
      this.record,
      { ...commonFields(this.record, threadId, reply, undefined), ...fields },
      { from, fromBot: false, threadId },
    );
    if (this.botSees(stored.message))
      world.enqueue({ message: clone(stored.message) as NonNullable<Update['message']> });
    else world.changed();
    return clone(stored.message);
  }

  /**
   * Every message of the chat, the bot's and the people's, in chat order (edits applied,
   * deleted and service messages left out): what a chat window shows. The demo console uses it.
   */
  transcript(opts: { threadId?: number } = {}): Array<{ message: Message; fromBot: boolean }> {
    return [...this.record.messages.values()]
      .filter((m) => !m.deleted && !m.service)
      .filter((m) => opts.threadId === undefined || m.message.message_thread_id === opts.threadId)
      .map((m) => ({ message: clone(m.message), fromBot: m.fromBot }));
  }

  /** Groups hide most messages from bots in privacy mode; see TelegramGroupHandle. */
  protected botSees(_message: Message): boolean {
    return true;
  }

  private replyTarget(replyTo: Message | number | undefined): Message | undefined {
    if (replyTo === undefined) return undefined;
    const id = typeof replyTo === 'number' ? replyTo : replyTo.message_id;
    const target = findMessage(this.record, id);
    if (!target) throw new Error(`message ${id} does not exist in chat ${this.chatId}`);
    return asReply(target.message);
  }

  private threadFor(threadId: number | undefined, reply: Message | undefined): number | undefined {
    if (threadId !== undefined) {
      if (!this.record.topics.has(threadId)) throw new Error(`chat ${this.chatId} has no topic ${threadId}`);
      return threadId;
    }
    return reply?.is_topic_message ? reply.message_thread_id : undefined;
  }

  protected editAs(from: User, message: Message | number, text: string): Message {
    const id = typeof message === 'number' ? message : message.message_id;
    const stored = findMessage(this.record, id);
    if (!stored || stored.message.from?.id !== from.id)
      throw new Error(`message ${id} in chat ${this.chatId} is not from user ${from.id}`);
    const formatted = fixFormattedText(text, []);
    const m = stored.message;
    if (m.photo || m.document) {
      // A file's text is its caption: the edit changes the caption (as editMessageCaption does).
      delete m.caption;
      delete m.caption_entities;
      Object.assign(m, formatted.text ? captionFields(formatted) : {}, { edit_date: unixNow() });
    } else {
      if (!formatted.text) throw new Error('Telegram does not allow an empty message text');
      delete m.entities;
      Object.assign(m, textFields(formatted), { edit_date: unixNow() });
    }
    this.env.world.changed();
    this.env.world.enqueue({
      edited_message: clone(stored.message) as NonNullable<Update['edited_message']>,
    });
    return clone(stored.message);
  }

  protected storedFile(
    bytes: Buffer | string,
    fileName: string | undefined,
    mimeType: string | undefined,
    kind: 'document' | 'photo',
  ): Partial<Message> {
    const data = Buffer.from(bytes);
    const file = storeFile(
      this.env.world,
      { bytes: data, fileName, contentType: mimeType },
      kind === 'photo' ? 'photos' : 'documents',
    );
    const ids = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.size };
    if (kind === 'document') {
      return {
        document: {
          ...(file.fileName ? { file_name: file.fileName } : {}),
          ...(file.mimeType ? { mime_type: file.mimeType } : {}),
          ...ids,
        },
      };
    }
    const size = imageSize(data);
    if (!size) throw new Error('sendPhoto needs PNG, GIF or JPEG bytes');
    return { photo: [{ ...ids, ...size }] };
  }

  protected list(filter: (m: Message) => boolean = () => true): Message[] {
    return this.env.world
      .botMessages(this.record)
      .map((s) => clone(s.message))
      .filter(filter);
  }

  protected waitNext(filter: (m: Message) => boolean, what: string, opts: WaitOptions): Promise<Message> {
    const world = this.env.world;
    return waitUntil(
      world,
      () => {
        const next = world
          .botMessages(this.record)
          .find((s) => !this.returned.has(s.message.message_id) && filter(s.message));
        if (!next) return undefined;
        this.returned.add(next.message.message_id);
        return clone(next.message);
      },
      {
        timeoutMs: opts.timeoutMs ?? this.env.defaultTimeoutMs,
        describe: () => `${what}${this.recentFailures()}`,
      },
    );
  }

  /** Failed calls aimed at this chat: usually why an expected message never came. */
  private recentFailures(): string {
    const failed = this.env.world.calls
      .filter((c) => c.status !== 200 && String(c.params.chat_id) === String(this.chatId))
      .slice(-3)
      .map((c) => `${c.method} → ${c.status} ${c.description ?? ''}`.trim());
    return failed.length ? `; recent failed calls to this chat: ${failed.join('; ')}` : '';
  }

  protected pressAs(
    from: User,
    message: Message | number,
    selector: ButtonSelector,
    opts: WaitOptions,
  ): Promise<CallbackAnswer> {
    const world = this.env.world;
    const id = typeof message === 'number' ? message : message.message_id;
    const stored = findMessage(this.record, id);
    if (!stored || !stored.fromBot)
      throw new Error(`message ${id} is not a bot message in chat ${this.chatId}`);
    const buttons = inlineButtons(stored.message.reply_markup).filter(
      (b): b is InlineKeyboardButton.CallbackButton => 'callback_data' in b,
    );
    const button =
      typeof selector === 'string'
        ? buttons.find((b) => b.callback_data === selector)
        : buttons.find((b) => b.text === selector.text);
    if (!button) {
      const have = buttons.map((b) => `"${b.text}" → ${b.callback_data}`).join(', ') || 'none';
      throw new Error(
        `message ${id} has no inline button ${JSON.stringify(selector)} (callback buttons: ${have})`,
      );
    }
    const queryId = world.newCallbackId();
    const query: CallbackQuery = {
      id: queryId,
      from,
      message: clone(stored.message),
      chat_instance: this.record.chatInstance,
      data: button.callback_data,
    };
    world.callbacks.set(queryId, { query });
    world.enqueue({ callback_query: query });
    return waitUntil(world, () => world.callbacks.get(queryId)?.answer, {
      timeoutMs: opts.timeoutMs ?? this.env.defaultTimeoutMs,
      describe: () =>
        `answerCallbackQuery for "${button.callback_data}" pressed on message ${id} in chat ${this.chatId}`,
    });
  }
}
