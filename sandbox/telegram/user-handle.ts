import type { Message, User } from '@grammyjs/types';
import {
  ChatHandle,
  type ButtonSelector,
  type HandleEnv,
  type MessageInput,
  type WaitOptions,
} from './chat-handle';
import { memberObject } from './methods/chats';
import { unixNow, type CallbackAnswer, type ChatRecord } from './state';

const clone = <T>(v: T): T => structuredClone(v);

/** A private chat with one user (chat id === user id). */
export class TelegramUserHandle extends ChatHandle {
  constructor(
    env: HandleEnv,
    record: ChatRecord,
    private readonly profile: () => User,
  ) {
    super(env, record);
  }

  get id(): number {
    return this.record.chat.id;
  }

  /** The `from` object of this user's messages. */
  get user(): User {
    return clone(this.profile());
  }

  get blocked(): boolean {
    return this.record.blocked;
  }

  /** The user writes to the bot; resolves with the message as the bot will receive it. */
  async send(input: MessageInput, opts: { replyTo?: Message | number } = {}): Promise<Message> {
    this.assertNotBlocked();
    return this.post(this.profile(), input, opts);
  }

  async sendDocument(
    bytes: Buffer | string,
    opts: { fileName?: string; mimeType?: string; caption?: string } = {},
  ): Promise<Message> {
    this.assertNotBlocked();
    const extra = this.storedFile(bytes, opts.fileName, opts.mimeType, 'document');
    return this.post(this.profile(), opts.caption ?? '', { extra });
  }

  async sendPhoto(bytes: Buffer, opts: { caption?: string } = {}): Promise<Message> {
    this.assertNotBlocked();
    const extra = this.storedFile(bytes, undefined, undefined, 'photo');
    return this.post(this.profile(), opts.caption ?? '', { extra });
  }

  /** The user edits one of their messages (an edited_message update). */
  async edit(message: Message | number, text: string): Promise<Message> {
    return this.editAs(this.profile(), message, text);
  }

  /** The next message the bot sent here that this handle has not returned yet. */
  nextMessage(opts: WaitOptions = {}): Promise<Message> {
    return this.waitNext(() => true, `a bot message in private chat ${this.id}`, opts);
  }

  /** Every message the bot sent here so far (current state, edits applied). */
  messages(): Message[] {
    return this.list();
  }

  lastMessage(): Message | undefined {
    return this.list().pop();
  }

  /** Presses an inline button; resolves with the bot's answerCallbackQuery. */
  press(message: Message | number, button: ButtonSelector, opts: WaitOptions = {}): Promise<CallbackAnswer> {
    return this.pressAs(this.profile(), message, button, opts);
  }

  /** The user blocks the bot: sends here fail with 403 and the bot gets a my_chat_member update. */
  block(): void {
    this.setBlocked(true);
  }

  unblock(): void {
    this.setBlocked(false);
  }

  private setBlocked(blocked: boolean): void {
    if (this.record.blocked === blocked) return;
    this.record.blocked = blocked;
    const botUser = this.env.world.botUser;
    this.env.world.enqueue({
      my_chat_member: {
        chat: { ...this.record.chat },
        from: this.profile(),
        date: unixNow(),
        old_chat_member: memberObject(botUser, blocked ? 'member' : 'kicked'),
        new_chat_member: memberObject(botUser, blocked ? 'kicked' : 'member'),
      },
    });
  }

  private assertNotBlocked(): void {
    if (this.record.blocked) throw new Error(`user ${this.id} blocked the bot; call unblock() first`);
  }
}
