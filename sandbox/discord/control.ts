import type { Server } from 'node:http';
import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  type APIApplicationCommand,
  type APIChannel,
} from 'discord-api-types/v10';
import { ChannelHandle, type ThreadInfo } from './channel-handle';
import { botThreads, filterRequests, waitForState, type RequestFilter } from './control-queries';
import { MessageCursor } from './cursor';
import { type FailurePlan, type FailureRates, type InjectedFailure, type RouteMatcher } from './failures';
import type { Gateway, GatewayStats } from './gateway';
import { guildInfo, setupGuild, staffOnlyOverwrites, type GuildInfo } from './guild';
import type { InteractionHandle } from './interactions';
import type { SandboxState, UserOptions } from './state';
import type { RequestRecord, SentMessage } from './types';
import { SandboxUser } from './user';
import { until } from './wait';

export type { RequestFilter } from './control-queries';

/** The handle a test gets from startDiscordSandbox(). */
export class DiscordSandbox {
  readonly apiBase: string;
  readonly gatewayUrl: string;
  private readonly cursor: MessageCursor;
  private readonly users = new Map<string, SandboxUser>();

  constructor(
    /** The emulator's whole state, for assertions the typed helpers do not cover. */
    readonly state: SandboxState,
    private readonly gateway: Gateway,
    private readonly failures: FailurePlan,
    private readonly server: Server,
    origin: string,
  ) {
    this.apiBase = `${origin}/api`;
    this.gatewayUrl = gateway.url;
    this.cursor = new MessageCursor(state);
  }

  get token(): string {
    return this.state.token;
  }
  get applicationId(): string {
    return this.state.applicationId;
  }
  get botUserId(): string {
    return this.state.bot.id;
  }
  get guildId(): string {
    return this.state.guildId;
  }
  get staffRoleId(): string {
    return this.state.staffRoleId;
  }
  get modChannelId(): string {
    return this.state.modChannelId;
  }
  get generalChannelId(): string {
    return this.state.generalChannelId;
  }
  get supportChannelId(): string {
    return this.state.supportChannelId;
  }

  /** Resolves once a client identified (or resumed) and received its GUILD_CREATE. */
  ready(opts: { timeoutMs?: number } = {}): Promise<void> {
    return until(this.state.events, () => this.gateway.hasLiveSession() || undefined, {
      timeoutMs: opts.timeoutMs,
      what: () => 'a discord.js client to connect to the sandbox gateway',
    }).then(() => undefined);
  }

  /**
   * Adds a guild with the default guild's layout (its own Staff role, #general, #support,
   * #mod-queue). A connected bot gets GUILD_CREATE for it, as when a bot joins a server.
   */
  createGuild(opts: { name: string; locale?: string; id?: string; staffRoleId?: string }): GuildInfo {
    const g = setupGuild(this.state, {
      name: opts.name,
      ...(opts.locale ? { preferredLocale: opts.locale } : {}),
      ...(opts.id ? { id: opts.id } : {}),
      ...(opts.staffRoleId ? { staffRoleId: opts.staffRoleId } : {}),
    });
    this.state.dispatch(GatewayDispatchEvents.GuildCreate, this.state.guildCreate(g.id), {
      intent: GatewayIntentBits.Guilds,
    });
    this.state.changed();
    return guildInfo(g);
  }

  /** Every guild the bot is in, the default one first. */
  guilds(): GuildInfo[] {
    return [...this.state.guilds.values()].map(guildInfo);
  }

  /**
   * Declares (or updates) a Discord user; by default a member of the default guild.
   * `guildId` names the guild that `roles`, `inGuild` and `nick` apply to (joining it).
   */
  user(id: string, opts: UserOptions = {}): SandboxUser {
    this.state.upsertUser(id, opts);
    this.state.changed();
    let u = this.users.get(id);
    if (!u) this.users.set(id, (u = new SandboxUser(this.state, this.gateway, this.cursor, id)));
    return u;
  }

  channel(id: string): ChannelHandle {
    return new ChannelHandle(this.state, this.cursor, id);
  }

  /** Looks a guild channel up by name (`general`, `support`, `mod-queue`, or one you created). */
  channelByName(name: string, opts: { guildId?: string } = {}): APIChannel | undefined {
    return this.state
      .guildChannels(this.knownGuild(opts.guildId))
      .find((c) => 'name' in c.channel && c.channel.name === name)?.channel;
  }

  /** Adds a guild text channel or category; `staffOnly` hides it from @everyone like the mod channel. */
  createChannel(opts: {
    name: string;
    type?: ChannelType.GuildText | ChannelType.GuildCategory;
    parentId?: string;
    topic?: string;
    staffOnly?: boolean;
    /** Default: the default guild. */
    guildId?: string;
  }): APIChannel {
    const { guildId: asked, staffOnly, ...rest } = opts;
    const g = this.state.guild(this.knownGuild(asked))!;
    const overwrites = staffOnly ? staffOnlyOverwrites(g, this.botUserId) : undefined;
    const ch = this.state.createGuildChannel({ ...rest, ...(overwrites ? { overwrites } : {}) }, g.id);
    this.state.dispatch(GatewayDispatchEvents.ChannelCreate, ch, { intent: GatewayIntentBits.Guilds });
    this.state.changed();
    return structuredClone(ch);
  }

  /** Threads the bot created, with members and archive state. */
  threads(): ThreadInfo[] {
    return botThreads(this.state);
  }

  /**
   * Registered application commands: guild ones (`guild: true`), global ones (`false`) or
   * both, i.e. what members of the guild see. `guildId` defaults to the default guild.
   */
  commands(opts: { guild?: boolean; guildId?: string } = {}): APIApplicationCommand[] {
    const guild = this.state.guildCommands.get(this.knownGuild(opts.guildId)) ?? [];
    const list =
      opts.guild === true
        ? guild
        : opts.guild === false
          ? this.state.globalCommands
          : [...guild, ...this.state.globalCommands];
    return structuredClone(list);
  }

  /** A message by id, ephemeral ones included. */
  message(id: string): SentMessage | undefined {
    const m = this.state.messages.get(id);
    return m ? this.state.view(m) : undefined;
  }

  /** The next `count` matching requests fail as told. Returns a function that cancels the rule. */
  failNext(matcher: RouteMatcher, failure: InjectedFailure, count = 1): () => void {
    return this.failures.next(matcher, failure, count);
  }

  /** A fraction of matching requests fail until cancelled (returned function) or clearFailures(). */
  failRate(matcher: RouteMatcher, rates: FailureRates): () => void {
    return this.failures.rate(matcher, rates);
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /** Every REST request so far (oldest first), optionally filtered. */
  requests(filter?: RequestFilter): RequestRecord[] {
    return filterRequests(this.state, filter);
  }

  /**
   * The requests from position `from` on (oldest first): a caller that watches a long run
   * reads each request once instead of filtering the whole log on every change.
   */
  requestsSince(from: number): RequestRecord[] {
    return this.state.requests.slice(from);
  }

  /** Count of 429s the emulator answered (rate limits and injected ones). */
  rateLimitHits(): number {
    return this.state.requests.filter((r) => r.status === 429).length;
  }

  /**
   * Waits until `predicate` returns something truthy; re-checked on every emulator
   * event and every 25 ms (for predicates that look elsewhere, e.g. at a database).
   */
  async waitFor<T>(
    predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    opts: { timeoutMs?: number; what?: string } = {},
  ): Promise<T> {
    return waitForState(this.state, predicate, opts);
  }

  /** Drops gateway connections. Code 4000 (default) makes discord.js RESUME; `invalidateSession` forces a new IDENTIFY. */
  disconnect(opts: { code?: number; invalidateSession?: boolean } = {}): void {
    this.gateway.disconnect(opts.code, { invalidateSession: !!opts.invalidateSession });
  }

  /** Sends op 7 RECONNECT: the client closes and resumes. */
  requestReconnect(): void {
    this.gateway.requestReconnect();
  }

  gatewayStats(): GatewayStats {
    return { ...this.gateway.stats };
  }

  private knownGuild(id: string | undefined): string {
    if (id === undefined) return this.guildId;
    if (!this.state.guild(id)) throw new Error(`unknown guild ${id}`);
    return id;
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.state.events.removeAllListeners();
  }
}

export { ChannelHandle, type ThreadInfo };
export type { InteractionHandle, SandboxUser };
