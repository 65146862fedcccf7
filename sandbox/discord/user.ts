import {
  ChannelType,
  ComponentType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  InteractionType,
  type APIApplicationCommand,
} from 'discord-api-types/v10';
import { createMessage, editMessage } from './messages';
import { P } from './permissions';
import type { SandboxState, UserOptions } from './state';
import type { SentMessage, UserRecord } from './types';
import {
  allComponents,
  dispatchInteraction,
  findComponent,
  slashData,
  SELECT_TYPES,
  type GatewayLike,
  type InteractionHandle,
  type SlashOptions,
} from './interactions';
import type { MessageCursor } from './cursor';
import { modalAnswer, origin0, type ModalValues } from './modal-answer';

export type { ModalValues, UploadedFile } from './modal-answer';

export type MessageRef = string | { id: string };
/** A Discord user that the test drives: slash commands, buttons, modals, messages, DMs. */
export class SandboxUser {
  constructor(
    private readonly state: SandboxState,
    private readonly gateway: GatewayLike,
    private readonly cursor: MessageCursor,
    readonly id: string,
  ) {}

  private get rec(): UserRecord {
    return this.state.users.get(this.id)!;
  }
  get username(): string {
    return this.rec.user.username;
  }
  get locale(): string {
    return this.rec.locale;
  }
  /** Roles in the default guild (see rolesIn for another guild). */
  get roles(): string[] {
    return this.rolesIn(this.state.guildId);
  }
  /** Roles in this guild; empty when not a member. */
  rolesIn(guildId: string): string[] {
    return [...(this.state.memberRoles(this.id, guildId) ?? [])];
  }
  /** The user's DM channel with the bot, once either side opened it. */
  get dmChannelId(): string | undefined {
    return this.rec.dmChannelId;
  }

  update(opts: UserOptions): this {
    this.state.upsertUser(this.id, opts);
    this.state.changed();
    return this;
  }

  /**
   * Runs a registered chat-input command, as if typed in Discord: in `channelId`, else in
   * #general of `guildId` (default guild if neither), or in the DM with `inDm`.
   */
  async slash(name: string, opts: SlashOptions = {}): Promise<InteractionHandle> {
    const channelId = opts.inDm ? this.state.ensureDm(this.id).channel.id : this.slashChannel(opts);
    const guildId = opts.inDm ? undefined : this.state.guildOf(channelId)?.id;
    const cmd = this.findCommand(name, guildId);
    if (!opts.inDm)
      this.mustBeAbleTo(
        channelId,
        P.ViewChannel | P.UseApplicationCommands,
        `use /${name} in channel ${channelId}`,
      );
    const data = slashData(this.state, cmd, opts, guildId);
    return dispatchInteraction(this.state, this.gateway, {
      type: InteractionType.ApplicationCommand,
      user: this.rec,
      channelId,
      data,
    });
  }

  /** Presses a button on a message the bot sent. */
  async press(message: MessageRef, customId: string): Promise<InteractionHandle> {
    const { msg, component } = this.component(message, customId);
    if (component.type !== ComponentType.Button)
      throw new Error(
        `component "${customId}" is a ${ComponentType[component.type]}, not a button (use select())`,
      );
    return dispatchInteraction(this.state, this.gateway, {
      type: InteractionType.MessageComponent,
      user: this.rec,
      channelId: msg.api.channel_id,
      data: { custom_id: customId, component_type: ComponentType.Button },
      sourceMessage: msg.api,
    });
  }

  /** Picks values in a select menu on a message the bot sent. */
  async select(message: MessageRef, customId: string, values: string[]): Promise<InteractionHandle> {
    const { msg, component } = this.component(message, customId);
    if (!SELECT_TYPES.has(component.type)) throw new Error(`component "${customId}" is not a select menu`);
    const min = component.min_values ?? 1;
    const max = component.max_values ?? 1;
    if (values.length < min || values.length > max)
      throw new Error(`select "${customId}" takes ${min}..${max} values, got ${values.length}`);
    if (component.type === ComponentType.StringSelect) {
      const allowed = (component.options ?? []).map((o) => o.value);
      const bad = values.filter((v) => !allowed.includes(v));
      if (bad.length)
        throw new Error(
          `select "${customId}" has no option(s) ${bad.join(', ')} (options: ${allowed.join(', ')})`,
        );
    }
    return dispatchInteraction(this.state, this.gateway, {
      type: InteractionType.MessageComponent,
      user: this.rec,
      channelId: msg.api.channel_id,
      data: {
        custom_id: customId,
        component_type: component.type,
        values,
        ...this.selectResolved(component.type, values, msg.api.channel_id),
      },
      sourceMessage: msg.api,
    });
  }

  /** Submits the modal with this custom_id that the bot most recently showed this user. */
  async submitModal(customId: string, values: ModalValues): Promise<InteractionHandle> {
    const modal = [...this.state.modals]
      .reverse()
      .find((m) => m.userId === this.id && m.custom_id === customId && !m.submitted);
    if (!modal) {
      const shown = this.state.modals.filter((m) => m.userId === this.id).map((m) => m.custom_id);
      throw new Error(
        `the bot never showed modal "${customId}" to user ${this.id} (shown: ${shown.join(', ') || 'none'})`,
      );
    }
    const { components, attachments } = modalAnswer(
      modal,
      values,
      this.state.origin,
      origin0(this.state, modal),
    );
    modal.submitted = true;
    const origin = this.state.interactions.get(modal.interactionId)!;
    const source = origin.sourceMessageId ? this.state.messages.get(origin.sourceMessageId)?.api : undefined;
    return dispatchInteraction(this.state, this.gateway, {
      type: InteractionType.ModalSubmit,
      user: this.rec,
      channelId: origin.channelId,
      data: {
        custom_id: customId,
        components,
        ...(Object.keys(attachments).length ? { resolved: { attachments } } : {}),
      },
      ...(source ? { sourceMessage: source } : {}),
    });
  }

  /** Posts a message as this user (guild channel, thread, or their DM channel). */
  async sendMessage(
    channelId: string,
    content: string,
    opts: {
      replyTo?: string;
      /** Uploaded with the message: they come back as `attachments` with CDN URLs the bot can fetch. */
      files?: Array<{ name: string; contentType: string; data: Buffer }>;
    } = {},
  ): Promise<SentMessage> {
    const ch = this.state.channel(channelId)?.channel;
    if (!ch) throw new Error(`unknown channel ${channelId}`);
    if (ch.type === ChannelType.DM) {
      if (channelId !== this.rec.dmChannelId)
        throw new Error(`channel ${channelId} is not ${this.id}'s DM with the bot`);
    } else {
      const send = this.state.isThread(ch) ? P.SendMessagesInThreads : P.SendMessages;
      this.mustBeAbleTo(channelId, P.ViewChannel | send, `post in channel ${channelId}`);
    }
    const rec = createMessage(this.state, {
      channelId,
      author: this.rec.user,
      body: { content, ...(opts.replyTo ? { message_reference: { message_id: opts.replyTo } } : {}) },
      ...(opts.files?.length
        ? {
            files: opts.files.map((f, i) => ({
              field: `files[${i}]`,
              filename: f.name,
              contentType: f.contentType,
              data: f.data,
            })),
          }
        : {}),
    });
    return this.state.view(rec);
  }

  /** Edits one of this user's messages: the bot gets MESSAGE_UPDATE with the whole message. */
  async editMessage(messageId: string, content: string): Promise<SentMessage> {
    const rec = this.state.messages.get(messageId);
    if (!rec || rec.deleted) throw new Error(`unknown message ${messageId}`);
    if (rec.api.author.id !== this.id) throw new Error(`message ${messageId} is not from user ${this.id}`);
    return this.state.view(editMessage(this.state, rec, { content }));
  }

  /** Writes to the bot in DMs (opening the DM channel if needed). */
  async sendDm(content: string): Promise<SentMessage> {
    return this.sendMessage(this.state.ensureDm(this.id).channel.id, content);
  }

  /** Bot messages in this user's DM channel, oldest first (current state, edits applied). */
  dms(): SentMessage[] {
    const ch = this.rec.dmChannelId ? this.state.channels.get(this.rec.dmChannelId) : undefined;
    return (ch?.messageIds ?? [])
      .map((id) => this.state.messages.get(id)!)
      .filter((m) => m.api.author.id === this.state.bot.id && !m.deleted)
      .map((m) => this.state.view(m));
  }

  /** The next bot DM not returned by an earlier nextDm() (waits for it). */
  nextDm(opts: { timeoutMs?: number } = {}): Promise<SentMessage> {
    return this.cursor.next(
      `dm:${this.id}`,
      () => this.rec.dmChannelId,
      opts.timeoutMs,
      `a DM from the bot to user ${this.id}`,
    );
  }

  /**
   * Adds another member of the thread's guild to a thread, as a user does from the member
   * list: needs Manage Threads unless the private thread is invitable and this user is in it.
   */
  addToThread(threadId: string, userId: string): void {
    const rec = this.state.channel(threadId);
    if (!rec || !this.state.isThread(rec.channel)) throw new Error(`${threadId} is not a thread`);
    const guildId = this.state.guildOf(threadId)!.id;
    const invitable =
      rec.channel.type !== ChannelType.PrivateThread ||
      (!!rec.channel.thread_metadata?.invitable && !!rec.threadMembers?.has(this.id));
    if (!invitable) this.mustBeAbleTo(threadId, P.ManageThreads, `add members to thread ${threadId}`);
    if (!this.state.memberRoles(userId, guildId))
      throw new Error(`user ${userId} is not a member of guild ${guildId}`);
    const members = (rec.threadMembers ??= new Map());
    if (members.has(userId)) return;
    const now = new Date().toISOString();
    members.set(userId, now);
    rec.channel.member_count = members.size;
    this.state.dispatch(
      GatewayDispatchEvents.ThreadMembersUpdate,
      {
        id: threadId,
        guild_id: guildId,
        member_count: Math.min(50, members.size),
        added_members: [
          {
            id: threadId,
            user_id: userId,
            join_timestamp: now,
            flags: 0,
            member: this.state.member(userId, guildId),
          },
        ],
      },
      // Discord only tells about other users' thread membership with GUILD_MEMBERS.
      { intent: GatewayIntentBits.GuildMembers },
    );
    this.state.changed();
  }

  /** From now on the bot's DMs to this user fail with 50007. */
  blockDms(): void {
    this.rec.blocked = true;
    this.state.changed();
  }

  unblockDms(): void {
    this.rec.blocked = false;
    this.state.changed();
  }

  private slashChannel(opts: SlashOptions): string {
    if (opts.guildId !== undefined && !this.state.guild(opts.guildId))
      throw new Error(`unknown guild ${opts.guildId}`);
    if (!opts.channelId) return this.state.guild(opts.guildId ?? this.state.guildId)!.generalChannelId;
    const ch = this.state.channel(opts.channelId)?.channel;
    if (!ch) throw new Error(`unknown channel ${opts.channelId}`);
    if (ch.type === ChannelType.DM) throw new Error(`channel ${opts.channelId} is a DM (use inDm)`);
    const inGuild = this.state.guildOf(opts.channelId)?.id;
    if (opts.guildId !== undefined && inGuild !== opts.guildId)
      throw new Error(`channel ${opts.channelId} is not in guild ${opts.guildId} (it is in ${inGuild})`);
    return opts.channelId;
  }

  /** A guild sees its own commands and the global ones; a DM only the global ones. */
  private findCommand(name: string, guildId: string | undefined): APIApplicationCommand {
    const guild = guildId ? (this.state.guildCommands.get(guildId) ?? []) : [];
    const cmd = [...guild, ...this.state.globalCommands].find((c) => c.name === name && c.type === 1);
    if (!cmd) {
      const known = [...guild, ...this.state.globalCommands].map((c) => c.name);
      const where = guildId ? ` in guild ${guildId}` : ' globally (DMs only see global commands)';
      throw new Error(`/${name} is not registered${where} (registered: ${known.join(', ') || 'none'})`);
    }
    return cmd;
  }

  private mustBeAbleTo(channelId: string, flags: bigint, what: string): void {
    if ((this.state.permissions(this.id, channelId) & flags) !== flags)
      throw new Error(`user ${this.id} may not ${what} (missing permissions)`);
  }

  private component(message: MessageRef, customId: string) {
    const id = typeof message === 'string' ? message : message.id;
    const msg = this.state.messages.get(id);
    if (!msg || msg.deleted) throw new Error(`message ${id} does not exist (or was deleted)`);
    if (msg.ephemeral && msg.visibleTo !== this.id)
      throw new Error(`message ${id} is ephemeral for another user`);
    if (!msg.ephemeral) {
      const ch = this.state.channel(msg.api.channel_id)?.channel;
      const visible =
        ch?.type === ChannelType.DM
          ? ch.id === this.rec.dmChannelId
          : this.state.can(this.id, msg.api.channel_id, P.ViewChannel);
      if (!visible) throw new Error(`user ${this.id} cannot see channel ${msg.api.channel_id}`);
    }
    const component = findComponent(msg.api.components, customId);
    if (!component) {
      const ids = allComponents(msg.api.components).flatMap((c) => (c.custom_id ? [c.custom_id] : []));
      throw new Error(`message ${id} has no component "${customId}" (has: ${ids.join(', ') || 'none'})`);
    }
    if (component.disabled) throw new Error(`component "${customId}" is disabled`);
    return { msg, component };
  }

  private selectResolved(type: number, values: string[], channelId: string): Record<string, unknown> {
    const guildId = this.state.guildOf(channelId)?.id;
    if (type === ComponentType.StringSelect) return {};
    const users: Record<string, unknown> = {};
    const members: Record<string, unknown> = {};
    const roles: Record<string, unknown> = {};
    const channels: Record<string, unknown> = {};
    for (const v of values) {
      const u = this.state.apiUser(v);
      if (u) {
        users[v] = u;
        const m = guildId ? this.state.member(v, guildId) : undefined;
        if (m) members[v] = { ...m, user: undefined, permissions: '0' };
      } else if (guildId && this.state.role(v, guildId)) roles[v] = this.state.role(v, guildId);
      else {
        const ch = this.state.channel(v)?.channel as
          { id: string; name?: string | null; type: number } | undefined;
        if (!ch) throw new Error(`select value ${v} is no known user, role or channel`);
        channels[v] = { id: ch.id, name: ch.name, type: ch.type, permissions: '0' };
      }
    }
    return { resolved: { users, members, roles, channels } };
  }
}
