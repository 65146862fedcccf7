// How a Telegram sandbox is set up: its options, the bot's getMe from its token, and the users
// and chats tests declare; kept apart from control.ts, the handle tests drive.
import { randomBytes, randomInt } from 'node:crypto';
import type { Message, User, UserFromGetMe } from '@grammyjs/types';
import type { TelegramLimits } from './limits';
import type { ChatRecord, MemberStatus, TelegramCall, World } from './state';
import type { WebhookOptions } from './webhook';

export interface TelegramSandboxOptions {
  /** Bot token; default a fresh "<id>:AA…" token. The id before ":" becomes the bot's user id. */
  token?: string;
  botUsername?: string;
  botName?: string;
  /** Flood limits (partial overrides of Telegram's) or false to switch them off. */
  limits?: Partial<TelegramLimits> | false;
  /** Seed of the random failures of failRate(). */
  seed?: number;
  webhook?: Partial<WebhookOptions>;
  /** Default timeout of nextMessage(), press(), waitFor() and drained() (10 s). */
  defaultTimeoutMs?: number;
}

export interface TelegramUserOptions {
  firstName?: string;
  lastName?: string;
  username?: string;
  /** IETF tag as Telegram sends it, e.g. "en" or "zh-hans". */
  languageCode?: string;
  isPremium?: boolean;
}

export interface TelegramGroupOptions {
  title?: string;
  /** A forum supergroup: topics, message_thread_id. */
  isForum?: boolean;
  username?: string;
  /** The bot's role; "member" means privacy mode hides ordinary messages from it. Default "administrator". */
  botStatus?: 'administrator' | 'member';
  /** Initial member statuses by user id (getChatMember answers). */
  members?: Record<number, MemberStatus>;
}

/** What waitFor() predicates look at (computed lazily). */
export interface TelegramSandboxView {
  readonly calls: TelegramCall[];
  readonly sent: Message[];
}

export function botFromToken(token: string, username: string, name: string): UserFromGetMe {
  const id = /^(\d+):[A-Za-z0-9_-]+$/.exec(token)?.[1];
  if (!id) throw new Error(`not a bot token: "${token}" (expected "<digits>:<secret>")`);
  return {
    id: Number(id),
    is_bot: true,
    first_name: name,
    username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

export const generateToken = (): string =>
  `${randomInt(1_000_000_000, 9_999_999_999)}:AA${randomBytes(25).toString('base64url').slice(0, 33)}`;

/** Declares (or updates) a user: what the bot sees in `from`; unset fields keep what was known. */
export function registerUser(world: World, id: number, opts: TelegramUserOptions): User {
  const known = world.users.get(id);
  const user: User = {
    id,
    is_bot: false,
    first_name: opts.firstName ?? known?.first_name ?? `User${id}`,
    ...((opts.lastName ?? known?.last_name) ? { last_name: opts.lastName ?? known?.last_name } : {}),
    ...((opts.username ?? known?.username) ? { username: opts.username ?? known?.username } : {}),
    language_code: opts.languageCode ?? known?.language_code ?? 'en',
    ...((opts.isPremium ?? known?.is_premium) ? { is_premium: true as const } : {}),
  };
  world.users.set(id, user);
  return user;
}

/** A new chat record (private chat or group), registered in the world. */
export function newChat(world: World, chat: ChatRecord['chat'], kind: ChatRecord['kind']): ChatRecord {
  const record: ChatRecord = {
    chat,
    kind,
    nextMessageId: 1,
    messages: new Map(),
    blocked: false,
    members: new Map(),
    botStatus: 'administrator',
    topics: new Map(),
    chatInstance: String(randomInt(1, 2 ** 47)) + String(randomInt(100_000, 999_999)),
  };
  world.chats.set(chat.id, record);
  return record;
}
