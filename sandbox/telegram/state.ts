import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  BotCommand,
  CallbackQuery,
  Chat,
  ChatMember,
  Message,
  ReplyKeyboardMarkup,
  Update,
  User,
  UserFromGetMe,
} from '@grammyjs/types';

/** One Bot API call as the bot made it. */
export interface TelegramCall {
  /** Canonical method name ("sendMessage" even when the bot wrote "sendmessage"). */
  method: string;
  params: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  /** HTTP status of the answer (200, 400, 429...). */
  status: number;
  /** The error description when status is not 200. */
  description?: string;
}

/** What the bot passed to answerCallbackQuery. */
export interface CallbackAnswer {
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
}

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  fileName?: string;
  mimeType?: string;
  size: number;
  bytes: Buffer;
  /** Path under /file/bot<token>/ where getFile points. */
  filePath: string;
}

export type MemberStatus = ChatMember['status'];

export interface TopicRecord {
  message_thread_id: number;
  name: string;
  icon_color: number;
  icon_custom_emoji_id?: string;
  closed: boolean;
}

export interface StoredMessage {
  /** Current state (edits applied). */
  message: Message;
  fromBot: boolean;
  /** Service messages (topic created/closed...) are kept out of messages()/nextMessage(). */
  service: boolean;
  deleted: boolean;
}

export interface ChatRecord {
  chat: Chat.PrivateChat | Chat.SupergroupChat;
  kind: 'private' | 'group';
  nextMessageId: number;
  /** Insertion order is message order. */
  messages: Map<number, StoredMessage>;
  /** Private: the user blocked the bot. Group: the bot was removed. */
  blocked: boolean;
  members: Map<number, MemberStatus>;
  botStatus: 'administrator' | 'member';
  topics: Map<number, TopicRecord>;
  /** The last reply keyboard the bot showed here (undefined after remove_keyboard). */
  replyKeyboard?: ReplyKeyboardMarkup;
  chatInstance: string;
}

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
  allowedUpdates?: string[];
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

export type UpdateType = Exclude<keyof Update, 'update_id'>;
type NewUpdate = { [K in UpdateType]: { [P in K]: NonNullable<Update[K]> } }[UpdateType];

// Telegram's default when allowed_updates is empty: everything but these three.
const NOT_DEFAULT: ReadonlySet<string> = new Set([
  'chat_member',
  'message_reaction',
  'message_reaction_count',
]);

export const unixNow = (): number => Math.floor(Date.now() / 1000);
export const randomId = (bytes = 12): string => randomBytes(bytes).toString('base64url');

/**
 * Everything the emulated Telegram knows. "change" is emitted after mutations so waiters
 * re-check; API methods do not emit themselves: BotApi emits once the call is logged, so a
 * test that sees a new message also sees the call that sent it.
 */
export class World extends EventEmitter {
  readonly users = new Map<number, User>();
  readonly chats = new Map<number, ChatRecord>();
  readonly files = new Map<string, StoredFile>();
  /** Keyed by scope + language, see commandsKey(). */
  readonly commands = new Map<string, BotCommand[]>();
  readonly callbacks = new Map<string, { query: CallbackQuery; answer?: CallbackAnswer }>();
  readonly calls: TelegramCall[] = [];
  /** Bot messages (not service messages) in sending order, across chats. */
  readonly sentLog: StoredMessage[] = [];
  pending: Update[] = [];
  /** Highest update_id the bot confirmed (polling offset or webhook 2xx). */
  confirmedUpTo = 0;
  allowedUpdates: string[] | undefined;
  webhook: WebhookConfig | undefined;
  /** Set by stop(): long polls answer at once and waiters give up. */
  stopped = false;
  /** getUpdates requests being held right now (the bot is idle and listening). */
  heldPolls = 0;
  private nextUpdateId = 1;
  private nextCallbackId = 1;

  /** The bot as it appears in `from` of its messages (getMe's extra fields are getMe-only). */
  readonly botUser: User;

  constructor(readonly bot: UserFromGetMe) {
    super();
    this.setMaxListeners(0);
    this.botUser = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
    this.users.set(bot.id, this.botUser);
  }

  changed(): void {
    this.emit('change');
  }

  get lastUpdateId(): number {
    return this.nextUpdateId - 1;
  }

  enqueue(body: NewUpdate): Update {
    const update = { update_id: this.nextUpdateId++, ...body } as Update;
    const type = Object.keys(body)[0] as string;
    const allowed = this.webhook?.allowedUpdates ?? this.allowedUpdates;
    const wanted = allowed && allowed.length > 0 ? allowed.includes(type) : !NOT_DEFAULT.has(type);
    if (wanted) this.pending.push(update);
    else if (this.pending.length === 0) this.confirmedUpTo = update.update_id;
    this.emit('update', update);
    this.changed();
    return update;
  }

  /** getUpdates offset semantics: confirm everything below `offset`; negative keeps the last -offset. */
  confirm(offset: number): void {
    const before = this.pending.length;
    if (offset < 0) this.pending = this.pending.slice(offset);
    else this.pending = this.pending.filter((u) => u.update_id >= offset);
    const firstLeft = this.pending[0]?.update_id;
    this.confirmedUpTo = firstLeft === undefined ? this.lastUpdateId : firstLeft - 1;
    if (this.pending.length !== before) this.changed();
  }

  newCallbackId(): string {
    // Real ids are opaque numeric strings around 19 digits.
    return `${4_000_000_000_000_000_000n + BigInt(this.nextCallbackId++)}`;
  }

  findUser = (id: number): User | undefined => this.users.get(id);

  chatById(id: number | string): ChatRecord | undefined {
    if (typeof id === 'number') return this.chats.get(id);
    const username = id.replace(/^@/, '').toLowerCase();
    // "@username" addresses public groups and channels only, never private chats.
    return [...this.chats.values()].find(
      (c) => c.kind === 'group' && c.chat.username?.toLowerCase() === username,
    );
  }

  addMessage(
    chat: ChatRecord,
    body: Partial<Message>,
    opts: { from: User; fromBot: boolean; service?: boolean; threadId?: number },
  ): StoredMessage {
    const message = {
      message_id: chat.nextMessageId++,
      ...(opts.threadId !== undefined ? { message_thread_id: opts.threadId } : {}),
      from: opts.from,
      chat: { ...chat.chat },
      date: unixNow(),
      ...(opts.threadId !== undefined && !opts.service ? { is_topic_message: true } : {}),
      ...body,
    } as Message;
    // Telegram lists reply_markup last; keep the JSON familiar when tests print it.
    if (message.reply_markup) {
      const markup = message.reply_markup;
      delete message.reply_markup;
      message.reply_markup = markup;
    }
    const stored: StoredMessage = {
      message,
      fromBot: opts.fromBot,
      service: opts.service ?? false,
      deleted: false,
    };
    chat.messages.set(message.message_id, stored);
    if (opts.fromBot && !opts.service) this.sentLog.push(stored);
    return stored;
  }

  /** Bot messages in chat order, the way tests read them. */
  botMessages(chat: ChatRecord): StoredMessage[] {
    return [...chat.messages.values()].filter((m) => m.fromBot && !m.service && !m.deleted);
  }
}

export function commandsKey(
  scope: Record<string, unknown> | undefined,
  languageCode: string | undefined,
): string {
  const s = scope ?? { type: 'default' };
  return JSON.stringify([s.type ?? 'default', s.chat_id ?? null, s.user_id ?? null, languageCode ?? '']);
}
