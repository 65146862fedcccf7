// The part of the emulator state that decides who is who: the bot, the guilds with their
// roles and members, the users, and the permissions they get in a channel (channels are
// kept here because permissions read them; the sandbox state builds on this).
import { EventEmitter } from 'node:events';
import {
  type GuildMemberFlags,
  type UserFlags,
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  type APIChannel,
  type APIGuildMember,
  type APIInteractionGuildMember,
  type APIRole,
  type APIThreadChannel,
  type APIUser,
} from 'discord-api-types/v10';
import type { GuildRecord } from './guild';
import type { DispatchMeta, Dispatcher, StateOptions, UserOptions } from './state-options';
import { channelPermissions } from './state-permissions';
import type { ChannelRecord, UserRecord } from './types';

export type { DispatchMeta, Dispatcher, StateOptions, UserOptions } from './state-options';

const iso = (ms = Date.now()) => new Date(ms).toISOString();

export class MembersState {
  readonly events = new EventEmitter();
  dispatcher: Dispatcher | undefined;
  /** `http://127.0.0.1:PORT`, for attachment URLs. */
  origin = '';
  readonly token: string;
  readonly applicationId: string;
  readonly bot: APIUser;
  /** Every guild the bot is in, the default one first. */
  readonly guilds = new Map<string, GuildRecord>();
  /** Set by the subclass once the channels it needs exist (the default guild has some). */
  protected defaultGuildRecord: GuildRecord | undefined;
  readonly users = new Map<string, UserRecord>();
  readonly channels = new Map<string, ChannelRecord>();

  constructor(opts: StateOptions) {
    this.events.setMaxListeners(0);
    this.token = opts.token;
    this.applicationId = opts.applicationId;
    this.bot = {
      id: opts.applicationId,
      username: opts.botUsername ?? 'nodedesk',
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: true,
      flags: 0 as UserFlags,
      public_flags: 0 as UserFlags,
    };
  }

  get defaultGuild(): GuildRecord {
    return this.defaultGuildRecord!;
  }

  // The default guild's ids, as the single-guild sandbox always exposed them.
  get guildId(): string {
    return this.defaultGuild.id;
  }
  get guildName(): string {
    return this.defaultGuild.name;
  }
  get guildLocale(): string {
    return this.defaultGuild.locale;
  }
  get ownerId(): string {
    return this.defaultGuild.ownerId;
  }
  get staffRoleId(): string {
    return this.defaultGuild.staffRoleId;
  }
  get botRoleId(): string {
    return this.defaultGuild.botRoleId;
  }
  get botJoinedAt(): string {
    return this.defaultGuild.botJoinedAt;
  }
  get modChannelId(): string {
    return this.defaultGuild.modChannelId;
  }
  get generalChannelId(): string {
    return this.defaultGuild.generalChannelId;
  }
  get supportChannelId(): string {
    return this.defaultGuild.supportChannelId;
  }
  /** The default guild's roles. */
  get roles(): Map<string, APIRole> {
    return this.defaultGuild.roles;
  }

  changed(): void {
    this.events.emit('change');
  }

  dispatch(event: GatewayDispatchEvents, data: unknown, meta: DispatchMeta = {}): void {
    this.dispatcher?.dispatch(event, data, meta);
  }

  // ---- guilds -------------------------------------------------------------------------

  guild(id: string): GuildRecord | undefined {
    return this.guilds.get(id);
  }

  /** The guild a channel or thread belongs to; undefined for DMs and unknown channels. */
  guildOf(channelId: string): GuildRecord | undefined {
    const ch = this.channels.get(channelId)?.channel;
    const gid = ch && 'guild_id' in ch ? ch.guild_id : undefined;
    return gid ? this.guilds.get(gid) : undefined;
  }

  /** A role of any guild (role ids are snowflakes, unique across guilds). */
  role(id: string, guildId?: string): APIRole | undefined {
    if (guildId) return this.guilds.get(guildId)?.roles.get(id);
    for (const g of this.guilds.values()) if (g.roles.has(id)) return g.roles.get(id);
    return undefined;
  }

  // ---- users and members -------------------------------------------------------------

  upsertUser(id: string, opts: UserOptions = {}): UserRecord {
    const g = this.guilds.get(opts.guildId ?? this.guildId);
    if (!g) throw new Error(`unknown guild ${opts.guildId}`);
    let rec = this.users.get(id);
    const isNew = !rec;
    if (!rec) {
      rec = {
        user: {
          id,
          username: opts.username ?? `user${id.slice(-4)}`,
          discriminator: '0',
          global_name: opts.globalName ?? null,
          avatar: null,
          public_flags: 0 as UserFlags,
        },
        locale: opts.locale ?? 'en-US',
        blocked: false,
      };
      this.users.set(id, rec);
    } else {
      if (opts.username !== undefined) rec.user.username = opts.username;
      if (opts.globalName !== undefined) rec.user.global_name = opts.globalName;
      if (opts.locale !== undefined) rec.locale = opts.locale;
    }
    const join = opts.inGuild ?? (isNew || opts.guildId !== undefined ? true : undefined);
    let m = g.members.get(id);
    if (join === true && !m) {
      g.members.set(id, (m = { roles: [], nick: null, joinedAt: iso() }));
      if (opts.roles !== undefined) m.roles = [...opts.roles];
      if (opts.nick !== undefined) m.nick = opts.nick;
      this.dispatch(
        GatewayDispatchEvents.GuildMemberAdd,
        { guild_id: g.id, ...this.member(id, g.id) },
        { intent: GatewayIntentBits.GuildMembers },
      );
      return rec;
    }
    if (join === false && m) {
      g.members.delete(id);
      this.dispatch(
        GatewayDispatchEvents.GuildMemberRemove,
        { guild_id: g.id, user: rec.user },
        { intent: GatewayIntentBits.GuildMembers },
      );
      return rec;
    }
    if (m && opts.roles !== undefined) m.roles = [...opts.roles];
    if (m && opts.nick !== undefined) m.nick = opts.nick;
    return rec;
  }

  apiUser(id: string): APIUser | undefined {
    if (id === this.bot.id) return this.bot;
    return this.users.get(id)?.user;
  }

  /** The bot shares a guild with this user (Discord only lets bots DM such users). */
  sharesGuild(userId: string): boolean {
    return [...this.guilds.values()].some((g) => g.members.has(userId));
  }

  memberRoles(userId: string, guildId: string = this.guildId): string[] | undefined {
    const g = this.guilds.get(guildId);
    if (!g) return undefined;
    if (userId === this.bot.id) return [g.botRoleId];
    return g.members.get(userId)?.roles;
  }

  member(userId: string, guildId: string = this.guildId): APIGuildMember | undefined {
    const roles = this.memberRoles(userId, guildId);
    const user = this.apiUser(userId);
    if (!roles || !user) return undefined;
    const g = this.guilds.get(guildId)!;
    const m = g.members.get(userId);
    return {
      user,
      nick: m?.nick ?? null,
      avatar: null,
      banner: null,
      roles: [...roles],
      joined_at: userId === this.bot.id ? g.botJoinedAt : (m?.joinedAt ?? iso()),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  /** The member as an interaction in this channel carries it: roles of the channel's guild. */
  interactionMember(userId: string, channelId: string): APIInteractionGuildMember | undefined {
    const g = this.guildOf(channelId);
    const m = g ? this.member(userId, g.id) : undefined;
    return m ? { ...m, permissions: this.permissions(userId, channelId).toString() } : undefined;
  }

  // ---- permissions --------------------------------------------------------------------

  permissions(userId: string, channelId: string): bigint {
    return channelPermissions(this, userId, channelId);
  }

  can(userId: string, channelId: string, flag: bigint): boolean {
    return (this.permissions(userId, channelId) & flag) === flag;
  }

  isThread(ch: APIChannel): ch is APIThreadChannel {
    return (
      ch.type === ChannelType.PublicThread ||
      ch.type === ChannelType.PrivateThread ||
      ch.type === ChannelType.AnnouncementThread
    );
  }
}
