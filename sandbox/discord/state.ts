import {
  type ChannelFlags,
  ChannelType,
  type APIApplicationCommand,
  type APIDMChannel,
  type APIGuildCategoryChannel,
  type APIOverwrite,
  type APITextChannel,
  type APIThreadChannel,
  type GatewayGuildCreateDispatchData,
} from 'discord-api-types/v10';
import { guildCreatePayload, setupGuild } from './guild';
import { snowflake } from './ids';
import { MembersState, type StateOptions } from './state-members';
import type {
  ChannelRecord,
  InteractionRecord,
  MessageRecord,
  ModalRecord,
  RequestRecord,
  SentMessage,
  UserRecord,
} from './types';

export type { GuildOptions } from './guild';
export type { DispatchMeta, Dispatcher, StateOptions, UserOptions } from './state-members';

/** Everything the emulated Discord knows. Routes and the control API mutate it; the gateway mirrors it. */
export class SandboxState extends MembersState {
  readonly messages = new Map<string, MessageRecord>();
  readonly globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly modals: ModalRecord[] = [];
  readonly requests: RequestRecord[] = [];
  /** Discord forgets an interaction not answered within 3 s (tests may allow more). */
  interactionAckMs = 3_000;

  constructor(opts: StateOptions) {
    super(opts);
    this.defaultGuildRecord = setupGuild(this, opts.guild ?? {});
  }

  // ---- channels -----------------------------------------------------------------------

  createGuildChannel(
    opts: {
      id?: string;
      name: string;
      type?: ChannelType.GuildText | ChannelType.GuildCategory;
      parentId?: string;
      topic?: string;
      overwrites?: APIOverwrite[];
    },
    guildId: string = this.guildId,
  ): APITextChannel | APIGuildCategoryChannel {
    const id = opts.id ?? snowflake();
    if (this.channels.has(id)) throw new Error(`channel ${id} already exists`);
    if (opts.parentId && this.guildOf(opts.parentId)?.id !== guildId)
      throw new Error(`parent ${opts.parentId} is not a channel of guild ${guildId}`);
    const position = this.guildChannels(guildId).filter(
      (c) => c.channel.type === (opts.type ?? ChannelType.GuildText),
    ).length;
    const base = {
      id,
      guild_id: guildId,
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

  /** Guild channels (not threads) of one guild, or of every guild. */
  guildChannels(guildId?: string): ChannelRecord[] {
    return [...this.channels.values()].filter(
      (c) =>
        !c.deleted &&
        'guild_id' in c.channel &&
        (guildId === undefined || c.channel.guild_id === guildId) &&
        !this.isThread(c.channel),
    );
  }

  threads(guildId?: string): ChannelRecord[] {
    return [...this.channels.values()].filter(
      (c) =>
        !c.deleted &&
        this.isThread(c.channel) &&
        (guildId === undefined || (c.channel as APIThreadChannel).guild_id === guildId),
    );
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

  /** The message as the gateway sends it: with guild_id and the author's member in that guild. */
  gatewayMessage(rec: MessageRecord): Record<string, unknown> {
    const guildId = rec.guildId;
    if (!guildId) return { ...rec.api };
    const member = this.member(rec.api.author.id, guildId);
    const { user: _user, ...partialMember } = member ?? { user: undefined };
    return {
      ...rec.api,
      guild_id: guildId,
      ...(member ? { member: partialMember } : {}),
      mentions: rec.api.mentions.map((u) => {
        const m = this.member(u.id, guildId);
        if (!m) return u;
        const { user: _u, ...rest } = m;
        return { ...u, member: rest };
      }),
    };
  }

  // ---- gateway snapshot ---------------------------------------------------------------

  guildCreate(guildId: string = this.guildId): GatewayGuildCreateDispatchData {
    const g = this.guilds.get(guildId);
    if (!g) throw new Error(`unknown guild ${guildId}`);
    return guildCreatePayload(this, g);
  }
}
