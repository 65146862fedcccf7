import type { ForumTopic, Message, Update, User } from '@grammyjs/types';
import {
  ChatHandle,
  type ButtonSelector,
  type HandleEnv,
  type MessageInput,
  type WaitOptions,
} from './chat-handle';
import type { CallbackAnswer, ChatRecord, MemberStatus } from './state';
import type { TelegramUserHandle } from './user-handle';

const clone = <T>(v: T): T => structuredClone(v);

export type SenderRef = number | TelegramUserHandle;

/** A supergroup (optionally a forum with topics). */
export class TelegramGroupHandle extends ChatHandle {
  constructor(
    env: HandleEnv,
    record: ChatRecord,
    private readonly resolveUser: (ref: SenderRef) => User,
  ) {
    super(env, record);
  }

  get id(): number {
    return this.record.chat.id;
  }

  /** A member writes in the group (in a topic with threadId). */
  async send(
    from: SenderRef,
    input: MessageInput,
    opts: { threadId?: number; replyTo?: Message | number } = {},
  ): Promise<Message> {
    const user = this.member(from);
    return this.post(user, input, opts);
  }

  /** A member sends a document (in a topic with threadId). */
  async sendDocument(
    from: SenderRef,
    bytes: Buffer | string,
    opts: { fileName?: string; mimeType?: string; caption?: string; threadId?: number } = {},
  ): Promise<Message> {
    const extra = this.storedFile(bytes, opts.fileName, opts.mimeType, 'document');
    return this.post(this.member(from), opts.caption ?? '', {
      extra,
      ...(opts.threadId !== undefined ? { threadId: opts.threadId } : {}),
    });
  }

  /** A member sends a photo (PNG, GIF or JPEG bytes; in a topic with threadId). */
  async sendPhoto(
    from: SenderRef,
    bytes: Buffer,
    opts: { caption?: string; threadId?: number } = {},
  ): Promise<Message> {
    const extra = this.storedFile(bytes, undefined, undefined, 'photo');
    return this.post(this.member(from), opts.caption ?? '', {
      extra,
      ...(opts.threadId !== undefined ? { threadId: opts.threadId } : {}),
    });
  }

  async edit(from: SenderRef, message: Message | number, text: string): Promise<Message> {
    return this.editAs(this.member(from), message, text);
  }

  nextMessage(opts: WaitOptions & { threadId?: number } = {}): Promise<Message> {
    const where =
      opts.threadId === undefined ? `group ${this.id}` : `topic ${opts.threadId} of group ${this.id}`;
    return this.waitNext(
      (m) => opts.threadId === undefined || m.message_thread_id === opts.threadId,
      `a bot message in ${where}`,
      opts,
    );
  }

  messages(opts: { threadId?: number } = {}): Message[] {
    return this.list((m) => opts.threadId === undefined || m.message_thread_id === opts.threadId);
  }

  press(
    from: SenderRef,
    message: Message | number,
    button: ButtonSelector,
    opts: WaitOptions = {},
  ): Promise<CallbackAnswer> {
    return this.pressAs(this.member(from), message, button, opts);
  }

  /** Forum topics with their open/closed state, in creation order. */
  topics(): Array<ForumTopic & { closed: boolean }> {
    return [...this.record.topics.values()].map((t) => clone(t));
  }

  /** A member opens a topic themselves (the bot sees the service message). */
  async createTopic(from: SenderRef, name: string): Promise<ForumTopic> {
    if (!this.record.chat.is_forum) throw new Error(`group ${this.id} is not a forum`);
    const threadId = this.record.nextMessageId;
    const topic = { message_thread_id: threadId, name, icon_color: 0x6fb9f0, closed: false };
    this.record.topics.set(threadId, topic);
    const stored = this.env.world.addMessage(
      this.record,
      { forum_topic_created: { name, icon_color: topic.icon_color } },
      { from: this.member(from), fromBot: false, service: true, threadId },
    );
    this.env.world.enqueue({ message: clone(stored.message) as NonNullable<Update['message']> });
    return { message_thread_id: threadId, name, icon_color: topic.icon_color };
  }

  /** Sets what getChatMember answers for a user ("administrator" for staff checks). */
  setMember(user: SenderRef, status: MemberStatus): void {
    const u = this.resolveUser(user);
    this.record.members.set(u.id, status);
    this.env.world.changed();
  }

  /** The bot is removed from the group: sends fail with 403. */
  removeBot(): void {
    this.record.blocked = true;
    this.env.world.changed();
  }

  addBot(): void {
    this.record.blocked = false;
    this.env.world.changed();
  }

  private member(ref: SenderRef): User {
    const user = this.resolveUser(ref);
    const status = this.record.members.get(user.id);
    if (status === undefined || status === 'left') this.record.members.set(user.id, 'member');
    return user;
  }

  // Bots in privacy mode (the default, getMe says can_read_all_group_messages: false) only
  // see commands, replies to them and mentions, unless they are administrators.
  protected override botSees(message: Message): boolean {
    if (this.record.botStatus === 'administrator') return true;
    const text = message.text ?? message.caption ?? '';
    const username = this.env.world.bot.username.toLowerCase();
    return (
      (message.entities ?? []).some((e) => e.type === 'bot_command' && e.offset === 0) ||
      message.reply_to_message?.from?.id === this.env.world.bot.id ||
      text.toLowerCase().includes(`@${username}`) ||
      message.forum_topic_created !== undefined
    );
  }
}
