// One emulated guild: its roles, members and default channels, and the GUILD_CREATE
// snapshot of it. Every guild gets the same layout as the default one (roles @everyone,
// Staff and the bot's managed role; #general, #support and the staff-only #mod-queue), so
// a test can run the same scenario in a second community. Channels, messages and users live
// in the sandbox state; a channel belongs to a guild through its `guild_id`.
import {
  type GuildSystemChannelFlags,
  type RoleFlags,
  type UserFlags,
  ChannelType,
  OverwriteType,
  type APIGuildMember,
  type APIOverwrite,
  type APIRole,
  type APIThreadChannel,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import { snowflake } from './ids';
import { P, bits } from './permissions';
import type { SandboxState } from './state';

export interface GuildOptions {
  id?: string;
  name?: string;
  staffRoleId?: string;
  modChannelId?: string;
  preferredLocale?: string;
}

/** A user's membership of one guild: roles are per guild on Discord. */
export interface MemberRecord {
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

/** What a test needs to address a guild (the default guild exposes the same ids on `dc`). */
export interface GuildInfo {
  id: string;
  name: string;
  locale: string;
  staffRoleId: string;
  generalChannelId: string;
  supportChannelId: string;
  modChannelId: string;
}

export interface GuildRecord extends GuildInfo {
  ownerId: string;
  botRoleId: string;
  botJoinedAt: string;
  roles: Map<string, APIRole>;
  /** Members other than the bot, which is a member of every guild. */
  members: Map<string, MemberRecord>;
}

const SNOWFLAKE = /^\d{17,20}$/;

/** Builds a guild with the standard layout and registers it (its owner too) in `state`. */
export function setupGuild(state: SandboxState, opts: GuildOptions = {}): GuildRecord {
  for (const [field, v] of [
    ['id', opts.id],
    ['staffRoleId', opts.staffRoleId],
    ['modChannelId', opts.modChannelId],
  ] as const) {
    if (v !== undefined && !SNOWFLAKE.test(v)) throw new Error(`guild ${field} "${v}" is not a snowflake`);
  }
  const id = opts.id ?? snowflake();
  if (state.guilds.has(id)) throw new Error(`guild ${id} already exists`);
  const now = new Date().toISOString();
  const ownerId = snowflake();
  const g: GuildRecord = {
    id,
    name: opts.name ?? 'GPU Miners',
    locale: opts.preferredLocale ?? 'en-US',
    staffRoleId: opts.staffRoleId ?? snowflake(),
    botRoleId: snowflake(),
    ownerId,
    botJoinedAt: now,
    roles: new Map(),
    members: new Map([[ownerId, { roles: [], nick: null, joinedAt: now }]]),
    generalChannelId: '',
    supportChannelId: '',
    modChannelId: '',
  };
  state.guilds.set(id, g);
  state.users.set(ownerId, {
    user: {
      id: ownerId,
      username: 'guild.owner',
      discriminator: '0',
      global_name: 'Guild Owner',
      avatar: null,
      public_flags: 0 as UserFlags,
    },
    locale: 'en-US',
    blocked: false,
  });
  addRole(g, {
    id,
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
  addRole(g, {
    id: g.staffRoleId,
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
  addRole(g, {
    id: g.botRoleId,
    name: state.bot.username,
    position: 1,
    managed: true,
    tags: { bot_id: state.bot.id },
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

  const community = state.createGuildChannel({ name: 'Community', type: ChannelType.GuildCategory }, id);
  const staff = state.createGuildChannel({ name: 'Staff', type: ChannelType.GuildCategory }, id);
  g.generalChannelId = state.createGuildChannel({ name: 'general', parentId: community.id }, id).id;
  g.supportChannelId = state.createGuildChannel(
    { name: 'support', parentId: community.id, topic: 'Open a ticket here' },
    id,
  ).id;
  g.modChannelId = state.createGuildChannel(
    {
      ...(opts.modChannelId ? { id: opts.modChannelId } : {}),
      name: 'mod-queue',
      parentId: staff.id,
      overwrites: staffOnlyOverwrites(g, state.bot.id),
    },
    id,
  ).id;
  return g;
}

/** Hidden from @everyone, visible to the guild's Staff role and the bot. */
export function staffOnlyOverwrites(g: GuildRecord, botId: string): APIOverwrite[] {
  return [
    { id: g.id, type: OverwriteType.Role, allow: '0', deny: bits(P.ViewChannel) },
    { id: g.staffRoleId, type: OverwriteType.Role, allow: bits(P.ViewChannel, P.SendMessages), deny: '0' },
    { id: botId, type: OverwriteType.Member, allow: bits(P.ViewChannel, P.SendMessages), deny: '0' },
  ];
}

export function guildInfo(g: GuildRecord): GuildInfo {
  return {
    id: g.id,
    name: g.name,
    locale: g.locale,
    staffRoleId: g.staffRoleId,
    generalChannelId: g.generalChannelId,
    supportChannelId: g.supportChannelId,
    modChannelId: g.modChannelId,
  };
}

function addRole(
  g: GuildRecord,
  r: Partial<APIRole> & Pick<APIRole, 'id' | 'name' | 'permissions' | 'position'>,
): void {
  g.roles.set(r.id, {
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
    ...r,
  });
}

/** The GUILD_CREATE a bot gets for this guild: after READY, and when it joins later. */
export function guildCreatePayload(state: SandboxState, g: GuildRecord): GatewayGuildCreateDispatchData {
  const members = [state.bot.id, ...g.members.keys()]
    .map((id) => state.member(id, g.id))
    .filter((m): m is APIGuildMember => !!m);
  return {
    id: g.id,
    name: g.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    roles: [...g.roles.values()],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: g.generalChannelId,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: g.locale as GatewayGuildCreateDispatchData['preferred_locale'],
    max_members: 500000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    hub_type: null,
    incidents_data: null,
    joined_at: g.botJoinedAt,
    large: false,
    unavailable: false,
    member_count: members.length,
    voice_states: [],
    members,
    channels: state.guildChannels(g.id).map((c) => c.channel) as GatewayGuildCreateDispatchData['channels'],
    threads: state
      .threads(g.id)
      .filter((t) => !(t.channel as APIThreadChannel).thread_metadata?.archived)
      .map((c) => c.channel) as GatewayGuildCreateDispatchData['threads'],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
