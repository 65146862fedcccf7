import { EventEmitter } from 'node:events';
import {
  type ChannelFlags,
  type GuildMemberFlags,
  type GuildSystemChannelFlags,
  type RoleFlags,
  type UserFlags,
  ChannelType,
  GatewayIntentBits,
  OverwriteType,
  type APIApplicationCommand,
  type APIChannel,
  type APIDMChannel,
  type APIGuildCategoryChannel,
  type APIGuildMember,
  type APIInteractionGuildMember,
  type APIOverwrite,
  type APIRole,
  type APITextChannel,
  type APIThreadChannel,
  type APIUser,
  type GatewayDispatchEvents,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import { snowflake } from './ids';
import { P, bits, computePermissions } from './permissions';
import type {
  ChannelRecord,
  InteractionRecord,
  MessageRecord,
  ModalRecord,
  RequestRecord,
  SentMessage,
  UserRecord,
} from './types';

/** Who may receive a dispatch: the intent it needs and, for messages, what MESSAGE_CONTENT hides. */
export interface DispatchMeta {
  intent?: GatewayIntentBits;
  /** MESSAGE_CREATE/UPDATE: strip content unless the session has MESSAGE_CONTENT or this is exempt. */
  contentExempt?: boolean;
}

export interface Dispatcher {
  dispatch(event: GatewayDispatchEvents, data: unknown, meta: DispatchMeta): void;
}

export interface GuildOptions {
  id?: string;
  name?: string;
  staffRoleId?: string;
  modChannelId?: string;
  preferredLocale?: string;
}

export interface StateOptions {
  token: string;
  applicationId: string;
  botUsername?: string;
  guild?: GuildOptions;
}

export interface UserOptions {
  username?: string;
  globalName?: string | null;
  locale?: string;
  roles?: string[];
  /** Member of the sandbox guild (default true). Users outside it cannot receive DMs from the bot. */
  inGuild?: boolean;
  nick?: string | null;
}

const iso = (ms = Date.now()) => new Date(ms).toISOString();

/** Everything the emulated Discord knows. Routes and the control API mutate it; the gateway mirrors it. */
export class SandboxState {
  readonly events = new EventEmitter();
  dispatcher: Dispatcher | undefined;
  /** `http://127.0.0.1:PORT`, for attachment URLs. */
  origin = '';
  readonly token: string;
  readonly applicationId: string;
  readonly bot: APIUser;
  readonly botRoleId: string;
  readonly botJoinedAt = iso();
  readonly guildId: string;
  readonly guildName: string;
  readonly guildLocale: string;
  readonly ownerId: string;
  readonly staffRoleId: string;
  readonly modChannelId: string;
  readonly generalChannelId: string;
  readonly supportChannelId: string;
  readonly roles = new Map<string, APIRole>();
  readonly users = new Map<string, UserRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly modals: ModalRecord[] = [];
  readonly requests: RequestRecord[] = [];
  /** Discord forgets an interaction not answered within 3 s (tests may allow more). */
  interactionAckMs = 3_000;

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
    const g = opts.guild ?? {};
    this.guildId = g.id ?? snowflake();
    this.guildName = g.name ?? 'GPU Miners';
    this.guildLocale = g.preferredLocale ?? 'en-US';
    this.staffRoleId = g.staffRoleId ?? snowflake();
    this.botRoleId = snowflake();
    this.ownerId = snowflake();
    this.users.set(this.ownerId, {
      user: {
        id: this.ownerId,
        username: 'guild.owner',
        discriminator: '0',
        global_name: 'Guild Owner',
        avatar: null,
      },
      locale: 'en-US',
      roles: [],
      inGuild: true,
      joinedAt: iso(),
      nick: null,
      blocked: false,
    });

    this.addRole({
      id: this.guildId,
      name: '@everyone',
      position: 0,
      permissions: bits(
        P.ViewChannel,
        P.SendMessages,
        P.SendMessagesInThreads,
        P.ReadMessageHistory,
        P.UseApplicationCommands,
        P.AddReactions,
        P.EmbedLinks,
        P.AttachFiles,
        P.CreatePublicThreads,
        P.ChangeNickname,
      ),
    });
    this.addRole({
      id: this.staffRoleId,
      name: 'Staff',
      position: 2,
      hoist: true,
      permissions: bits(
        P.ManageMessages,
        P.ManageThreads,
        P.KickMembers,
        P.ModerateMembers,
        P.ViewAuditLog,
        P.MentionEveryone,
      ),
    });
    // The bot can ping everyone, so a message that forgets allowed_mentions really shows up as a ping.
    this.addRole({
      id: this.botRoleId,
      name: opts.botUsername ?? 'nodedesk',
      position: 1,
      managed: true,
      tags: { bot_id: this.bot.id },
      permissions: bits(
        P.ViewChannel,
        P.SendMessages,
        P.SendMessagesInThreads,
        P.CreatePrivateThreads,
        P.CreatePublicThreads,
        P.ManageThreads,
        P.ManageMessages,
        P.EmbedLinks,
        P.AttachFiles,
        P.ReadMessageHistory,
        P.MentionEveryone,
        P.AddReactions,
        P.UseExternalEmojis,
      ),
    });

    const community = this.createGuildChannel({ name: 'Community', type: ChannelType.GuildCategory });
    const staff = this.createGuildChannel({ name: 'Staff', type: ChannelType.GuildCategory });
    this.generalChannelId = this.createGuildChannel({ name: 'general', parentId: community.id }).id;
    this.supportChannelId = this.createGuildChannel({
      name: 'support',
      parentId: community.id,
      topic: 'Open a ticket here',
    }).id;
    this.modChannelId = this.createGuildChannel({
      id: g.modChannelId,
      name: 'mod-queue',
      parentId: staff.id,
      overwrites: [
        { id: this.guildId, type: OverwriteType.Role, allow: '0', deny: bits(P.ViewChannel) },
        {
          id: this.staffRoleId,
          type: OverwriteType.Role,
          allow: bits(P.ViewChannel, P.SendMessages),
          deny: '0',
        },
        {
          id: this.bot.id,
          type: OverwriteType.Member,
          allow: bits(P.ViewChannel, P.SendMessages),
          deny: '0',
        },
      ],
    }).id;
  }

  changed(): void {
    this.events.emit('change');
  }

  dispatch(event: GatewayDispatchEvents, data: unknown, meta: DispatchMeta = {}): void {
    this.dispatcher?.dispatch(event, data, meta);
  }

  // ---- users and members -------------------------------------------------------------

  upsertUser(id: string, opts: UserOptions = {}): UserRecord {
    const existing = this.users.get(id);
    if (existing) {
      if (opts.username !== undefined) existing.user.username = opts.username;
      if (opts.globalName !== undefined) existing.user.global_name = opts.globalName;
      if (opts.locale !== undefined) existing.locale = opts.locale;
      if (opts.roles !== undefined) existing.roles = [...opts.roles];
      if (opts.inGuild !== undefined) existing.inGuild = opts.inGuild;
      if (opts.nick !== undefined) existing.nick = opts.nick;
      return existing;
    }
    const username = opts.username ?? `user${id.slice(-4)}`;
    const rec: UserRecord = {
      user: {
        id,
        username,
        discriminator: '0',
        global_name: opts.globalName ?? null,
        avatar: null,
        public_flags: 0 as UserFlags,
      },
      locale: opts.locale ?? 'en-US',
      roles: [...(opts.roles ?? [])],
      inGuild: opts.inGuild ?? true,
      joinedAt: iso(),
      nick: opts.nick ?? null,
      blocked: false,
    };
    this.users.set(id, rec);
    return rec;
  }

  apiUser(id: string): APIUser | undefined {
    if (id === this.bot.id) return this.bot;
    return this.users.get(id)?.user;
  }

  memberRoles(userId: string): string[] | undefined {
    if (userId === this.bot.id) return [this.botRoleId];
    const rec = this.users.get(userId);
    return rec?.inGuild ? rec.roles : undefined;
  }

  member(userId: string): APIGuildMember | undefined {
    const roles = this.memberRoles(userId);
    const user = this.apiUser(userId);
    if (!roles || !user) return undefined;
    const rec = this.users.get(userId);
    return {
      user,
      nick: rec?.nick ?? null,
      avatar: null,
      banner: null,
      roles: [...roles],
      joined_at: userId === this.bot.id ? this.botJoinedAt : (rec?.joinedAt ?? iso()),
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  interactionMember(userId: string, channelId: string): APIInteractionGuildMember | undefined {
    const m = this.member(userId);
    return m ? { ...m, permissions: this.permissions(userId, channelId).toString() } : undefined;
  }

  // ---- permissions --------------------------------------------------------------------

  permissions(userId: string, channelId: string): bigint {
    const rec = this.channels.get(channelId);
    if (!rec) return 0n;
    const ch = rec.channel;
    if (ch.type === ChannelType.DM)
      return bitsOf(
        P.ViewChannel,
        P.SendMessages,
        P.ReadMessageHistory,
        P.EmbedLinks,
        P.AttachFiles,
        P.UseApplicationCommands,
      );
    const roles = this.memberRoles(userId);
    if (!roles) return 0n;
    const isThread = ch.type === ChannelType.PublicThread || ch.type === ChannelType.PrivateThread;
    const target = isThread ? this.channels.get(ch.parent_id ?? '')?.channel : ch;
    const overwrites =
      target && 'permission_overwrites' in target ? (target.permission_overwrites ?? []) : [];
    const perms = computePermissions(
      this.guildId,
      this.roles,
      { userId, roleIds: roles, isOwner: userId === this.ownerId },
      overwrites,
    );
    if (
      ch.type === ChannelType.PrivateThread &&
      !rec.threadMembers?.has(userId) &&
      !(perms & P.ManageThreads)
    )
      return 0n;
    return perms;
  }

  can(userId: string, channelId: string, flag: bigint): boolean {
    return (this.permissions(userId, channelId) & flag) === flag;
  }

  // ---- channels -----------------------------------------------------------------------

  addRole(r: Partial<APIRole> & Pick<APIRole, 'id' | 'name' | 'permissions' | 'position'>): APIRole {
    const role: APIRole = {
      color: 0,
      colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
      hoist: false,
      icon: null,
      unicode_emoji: null,
      managed: false,
      mentionable: false,
      flags: 0 as RoleFlags,
      ...r,
    };
    this.roles.set(role.id, role);
    return role;
  }

  createGuildChannel(opts: {
    id?: string;
    name: string;
    type?: ChannelType.GuildText | ChannelType.GuildCategory;
    parentId?: string;
    topic?: string;
    overwrites?: APIOverwrite[];
  }): APITextChannel | APIGuildCategoryChannel {
    const id = opts.id ?? snowflake();
    const position = [...this.channels.values()].filter(
      (c) => c.channel.type === (opts.type ?? ChannelType.GuildText),
    ).length;
    const base = {
      id,
      guild_id: this.guildId,
      name: opts.name,
      position,
      permission_overwrites: opts.overwrites ?? [],
      nsfw: false,
      flags: 0 as ChannelFlags,
    };
    const channel: APITextChannel | APIGuildCategoryChannel =
      opts.type === ChannelType.GuildCategory
        ? { ...base, type: ChannelType.GuildCategory, parent_id: null }
        : {
            ...base,
            type: ChannelType.GuildText,
            parent_id: opts.parentId ?? null,
            topic: opts.topic ?? null,
            last_message_id: null,
            rate_limit_per_user: 0,
            default_thread_rate_limit_per_user: 0,
            last_pin_timestamp: null,
          };
    this.channels.set(id, { channel, messageIds: [], createdByBot: false, deleted: false });
    return channel;
  }

  channel(id: string): ChannelRecord | undefined {
    const rec = this.channels.get(id);
    return rec && !rec.deleted ? rec : undefined;
  }

  /** One DM channel per recipient, created on first use by either side. */
  ensureDm(userId: string): ChannelRecord {
    const user = this.users.get(userId);
    if (!user) throw new Error(`unknown user ${userId}`);
    if (user.dmChannelId) return this.channels.get(user.dmChannelId)!;
    const channel: APIDMChannel = {
      id: snowflake(),
      type: ChannelType.DM,
      last_message_id: null,
      recipients: [user.user],
      flags: 0 as ChannelFlags,
      name: null,
    };
    user.dmChannelId = channel.id;
    const rec: ChannelRecord = { channel, messageIds: [], createdByBot: false, deleted: false };
    this.channels.set(channel.id, rec);
    this.changed();
    return rec;
  }

  dmRecipient(channelId: string): UserRecord | undefined {
    const ch = this.channels.get(channelId)?.channel;
    if (ch?.type !== ChannelType.DM) return undefined;
    const id = ch.recipients?.[0]?.id;
    return id ? this.users.get(id) : undefined;
  }

  isThread(ch: APIChannel): ch is APIThreadChannel {
    return (
      ch.type === ChannelType.PublicThread ||
      ch.type === ChannelType.PrivateThread ||
      ch.type === ChannelType.AnnouncementThread
    );
  }

  guildChannels(): ChannelRecord[] {
    return [...this.channels.values()].filter(
      (c) => !c.deleted && 'guild_id' in c.channel && !this.isThread(c.channel),
    );
  }

  threads(): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => !c.deleted && this.isThread(c.channel));
  }

  // ---- messages -----------------------------------------------------------------------

  view(rec: MessageRecord): SentMessage {
    // structuredClone would turn the Buffers into plain Uint8Arrays.
    const files = rec.files.map((f) => ({ ...f, data: Buffer.from(f.data) }));
    return {
      ...structuredClone({
        ...rec.api,
        ephemeral: rec.ephemeral,
        allowed_mentions: rec.allowedMentions,
        pinged: rec.pinged,
        ...(rec.interactionId ? { interactionId: rec.interactionId } : {}),
        deleted: rec.deleted,
      }),
      files,
    };
  }

  /** The message as the gateway sends it: with guild_id and the author's member. */
  gatewayMessage(rec: MessageRecord): Record<string, unknown> {
    if (!rec.guildId) return { ...rec.api };
    const member = this.member(rec.api.author.id);
    const { user: _user, ...partialMember } = member ?? { user: undefined };
    return {
      ...rec.api,
      guild_id: rec.guildId,
      ...(member ? { member: partialMember } : {}),
      mentions: rec.api.mentions.map((u) => {
        const m = this.member(u.id);
        if (!m) return u;
        const { user: _u, ...rest } = m;
        return { ...u, member: rest };
      }),
    };
  }

  // ---- gateway snapshot ---------------------------------------------------------------

  guildCreate(): GatewayGuildCreateDispatchData {
    const members = [this.bot.id, ...[...this.users.keys()]]
      .map((id) => this.member(id))
      .filter((m): m is APIGuildMember => !!m);
    return {
      id: this.guildId,
      name: this.guildName,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 1,
      default_message_notifications: 1,
      explicit_content_filter: 2,
      roles: [...this.roles.values()],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: this.generalChannelId,
      system_channel_flags: 0 as GuildSystemChannelFlags,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: this.guildLocale as GatewayGuildCreateDispatchData['preferred_locale'],
      max_members: 500000,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      hub_type: null,
      incidents_data: null,
      joined_at: this.botJoinedAt,
      large: false,
      unavailable: false,
      member_count: members.length,
      voice_states: [],
      members,
      channels: this.guildChannels().map((c) => c.channel) as GatewayGuildCreateDispatchData['channels'],
      threads: this.threads()
        .filter((t) => !(t.channel as APIThreadChannel).thread_metadata?.archived)
        .map((c) => c.channel) as GatewayGuildCreateDispatchData['threads'],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}

function bitsOf(...flags: bigint[]): bigint {
  return flags.reduce((a, b) => a | b, 0n);
}
