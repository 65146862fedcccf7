import type { BotCommand, BotCommandScope, Message, Update, User, UserFromGetMe } from '@grammyjs/types';
import { BotApi } from './api';
import { FailureInjector, type TelegramFailRate, type TelegramFailure } from './failures';
import type { HandleEnv } from './chat-handle';
import { TelegramGroupHandle, type SenderRef } from './group-handle';
import { TelegramUserHandle } from './user-handle';
import { RateLimiter, type TelegramLimits } from './limits';
import { allMethods } from './methods';
import { Params } from './params';
import { startServer, type OutageMode, type RunningServer } from './server';
import { commandsKey, World, type StoredFile, type TelegramCall, type WebhookConfig } from './state';
import { waitUntil } from './wait';
import { DEFAULT_WEBHOOK_OPTIONS, WebhookDelivery } from './webhook';
import {
  botFromToken,
  generateToken,
  newChat,
  registerUser,
  type TelegramGroupOptions,
  type TelegramSandboxOptions,
  type TelegramSandboxView,
  type TelegramUserOptions,
} from './sandbox-setup';

export type {
  TelegramGroupOptions,
  TelegramSandboxOptions,
  TelegramSandboxView,
  TelegramUserOptions,
} from './sandbox-setup';

/** A running Telegram Bot API emulator plus the controls tests drive it with. */
export class TelegramSandbox {
  readonly apiRoot: string;
  readonly token: string;
  /** What getMe answers. */
  readonly bot: UserFromGetMe;
  private readonly users = new Map<number, TelegramUserHandle>();
  private readonly groups = new Map<number, TelegramGroupHandle>();
  private readonly handleEnv: HandleEnv;

  /** @internal use startTelegramSandbox() */
  constructor(
    private readonly world: World,
    private readonly server: RunningServer,
    private readonly limiter: RateLimiter,
    private readonly failures: FailureInjector,
    private readonly delivery: WebhookDelivery,
    token: string,
    defaultTimeoutMs: number,
  ) {
    this.apiRoot = server.apiRoot;
    this.token = token;
    this.bot = world.bot;
    this.handleEnv = { world, defaultTimeoutMs };
  }

  /** Environment for the product's config (TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT). */
  env(): { TELEGRAM_BOT_TOKEN: string; TELEGRAM_API_ROOT: string } {
    return { TELEGRAM_BOT_TOKEN: this.token, TELEGRAM_API_ROOT: this.apiRoot };
  }

  /** A user with a private chat to the bot (chat id === user id); the same handle for the same id. */
  user(id: number, opts: TelegramUserOptions = {}): TelegramUserHandle {
    if (!Number.isInteger(id) || id <= 0) throw new Error(`user ids are positive integers, got ${id}`);
    const profile = registerUser(this.world, id, opts);
    let chat = this.world.chats.get(id);
    if (!chat) {
      chat = newChat(this.world, { id, type: 'private', first_name: profile.first_name }, 'private');
    }
    chat.chat = {
      id,
      type: 'private',
      first_name: profile.first_name,
      ...(profile.last_name ? { last_name: profile.last_name } : {}),
      ...(profile.username ? { username: profile.username } : {}),
    };
    let handle = this.users.get(id);
    if (!handle) {
      handle = new TelegramUserHandle(this.handleEnv, chat, () => this.world.users.get(id) as User);
      this.users.set(id, handle);
    }
    return handle;
  }

  /** A supergroup with the bot in it (ids are negative, like -1001234567890). */
  group(id: number, opts: TelegramGroupOptions = {}): TelegramGroupHandle {
    if (!Number.isInteger(id) || id >= 0) throw new Error(`group ids are negative integers, got ${id}`);
    let chat = this.world.chats.get(id);
    if (!chat)
      chat = newChat(this.world, { id, type: 'supergroup', title: opts.title ?? `Group ${id}` }, 'group');
    chat.chat = {
      id,
      type: 'supergroup',
      title: opts.title ?? chat.chat.title ?? `Group ${id}`,
      ...((opts.username ?? chat.chat.username) ? { username: opts.username ?? chat.chat.username } : {}),
      ...((opts.isForum ?? chat.chat.is_forum) ? { is_forum: true as const } : {}),
    };
    if (opts.botStatus) chat.botStatus = opts.botStatus;
    for (const [userId, status] of Object.entries(opts.members ?? {})) {
      registerUser(this.world, Number(userId), {});
      chat.members.set(Number(userId), status);
    }
    let handle = this.groups.get(id);
    if (!handle) {
      handle = new TelegramGroupHandle(this.handleEnv, chat, (ref: SenderRef) =>
        typeof ref === 'number' ? registerUser(this.world, ref, {}) : ref.user,
      );
      this.groups.set(id, handle);
    }
    this.world.changed();
    return handle;
  }

  /** The next `count` calls of `method` ("*" = any method) fail as described, before doing anything. */
  failNext(method: string, failure: TelegramFailure, count = 1): void {
    this.failures.failNext(method, failure, count);
  }

  /** A random fraction of `method` calls fail from now on (null stops it); reproducible through `seed`. */
  failRate(method: string, rate: TelegramFailRate | null): void {
    this.failures.failRate(method, rate);
  }

  /** Error descriptions end with the request URL (which holds the bot token), as some proxies do. */
  echoUrlInErrors(on = true): void {
    this.server.echoUrlInErrors = on;
  }

  /**
   * The Bot API is lost while the bot runs, until `restore()` brings it back on the same
   * apiRoot: `refuse` (port closed, connections reset) or `silent` (accepts, never answers,
   * does nothing). Users can still send meanwhile: their updates wait, as on Telegram.
   */
  outage(mode: OutageMode = 'refuse'): Promise<void> {
    return this.server.outage(mode);
  }

  restore(): Promise<void> {
    return this.server.restore();
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /** Replaces the flood limits (counters restart). */
  setLimits(limits: Partial<TelegramLimits> | false): void {
    this.limiter.configure(limits);
  }

  /** Every API call the bot made, in order; optionally one method only (case-insensitive). */
  calls(method?: string): TelegramCall[] {
    const all = this.world.calls;
    const wanted = method?.toLowerCase();
    return structuredClone(wanted ? all.filter((c) => c.method.toLowerCase() === wanted) : all);
  }

  /** Every message the bot sent successfully, across chats, in sending order (edits applied). */
  sent(): Message[] {
    return this.world.sentLog.filter((s) => !s.deleted).map((s) => structuredClone(s.message));
  }

  /** True while the bot waits in a long poll (getUpdates held open), i.e. it is idle and listening. */
  isPolling(): boolean {
    return this.world.heldPolls > 0;
  }

  /** Updates the bot has not confirmed yet. */
  pendingUpdates(): Update[] {
    return structuredClone(this.world.pending);
  }

  /** Waits (event-driven) until `predicate` returns something truthy, and returns it. */
  waitFor<T>(
    predicate: (view: TelegramSandboxView) => T | undefined | null | false,
    opts: { timeoutMs?: number; what?: string } = {},
  ): Promise<T> {
    const calls = (): TelegramCall[] => this.calls();
    const sent = (): Message[] => this.sent();
    const view: TelegramSandboxView = {
      get calls() {
        return calls();
      },
      get sent() {
        return sent();
      },
    };
    return waitUntil(this.world, () => predicate(view), {
      timeoutMs: opts.timeoutMs ?? this.handleEnv.defaultTimeoutMs,
      describe: () => opts.what ?? 'a waitFor() predicate',
    });
  }

  /** Calls `listener` after every change (a message, an edit, a call); returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.world.on('change', listener);
    return () => this.world.off('change', listener);
  }

  /** Resolves once the bot confirmed every update sent so far (it polled past them or its webhook answered 2xx). */
  async drained(opts: { timeoutMs?: number } = {}): Promise<void> {
    const target = this.world.lastUpdateId;
    await waitUntil(this.world, () => this.world.confirmedUpTo >= target, {
      timeoutMs: opts.timeoutMs ?? this.handleEnv.defaultTimeoutMs,
      describe: () => `the bot to confirm update ${target} (${this.world.pending.length} pending)`,
    });
  }

  /** A file the bot uploaded (or a user sent), by file_id. */
  file(fileId: string): StoredFile | undefined {
    const f = this.world.files.get(fileId);
    return f ? { ...f, bytes: Buffer.from(f.bytes) } : undefined;
  }

  /** The commands set for one scope and language (default scope, no language). */
  commands(opts: { scope?: BotCommandScope; languageCode?: string } = {}): BotCommand[] {
    const key = commandsKey(opts.scope as Record<string, unknown> | undefined, opts.languageCode);
    return structuredClone(this.world.commands.get(key) ?? []);
  }

  /** The webhook the bot set (secret included), or undefined in polling mode. */
  webhook(): WebhookConfig | undefined {
    return structuredClone(this.world.webhook);
  }

  /** Stops the server. Stop the bot first (bot.stop()), or grammY keeps retrying a closed port. */
  async stop(): Promise<void> {
    if (this.world.stopped) return;
    this.world.stopped = true;
    this.delivery.stop();
    this.world.emit('stop');
    await this.server.close();
  }
}

/** Starts the emulator on 127.0.0.1 with a free port. */
export async function startTelegramSandbox(opts: TelegramSandboxOptions = {}): Promise<TelegramSandbox> {
  const token = opts.token ?? generateToken();
  const world = new World(
    botFromToken(token, opts.botUsername ?? 'nodedesk_sandbox_bot', opts.botName ?? 'Nodedesk Sandbox'),
  );
  const limiter = new RateLimiter(opts.limits);
  const failures = new FailureInjector(opts.seed);
  const api = new BotApi(world, limiter, failures, allMethods);
  const never = new AbortController().signal;
  const delivery = new WebhookDelivery(
    world,
    { ...DEFAULT_WEBHOOK_OPTIONS, ...opts.webhook },
    async (method, params) => {
      await api.call(method, new Params(params), never);
    },
  );
  const server = await startServer(world, api, token);
  return new TelegramSandbox(
    world,
    server,
    limiter,
    failures,
    delivery,
    token,
    opts.defaultTimeoutMs ?? 10_000,
  );
}
