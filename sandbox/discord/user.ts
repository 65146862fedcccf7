import { ChannelType, ComponentType, InteractionType } from 'discord-api-types/v10';
import { createMessage, editMessage } from './messages';
import { P } from './permissions';
import type { SandboxState, UserOptions } from './state';
import type { SentMessage, UserRecord } from './types';
import {
  dispatchInteraction,
  slashData,
  SELECT_TYPES,
  type GatewayLike,
  type InteractionHandle,
  type SlashOptions,
} from './interactions';
import type { MessageCursor } from './cursor';
import { modalAnswer, origin0, type ModalValues } from './modal-answer';
import {
  addToThread,
  findCommand,
  messageComponent,
  mustBeAbleTo,
  selectResolved,
  slashChannel,
} from './user-checks';

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
    const channelId = opts.inDm ? this.state.ensureDm(this.id).channel.id : slashChannel(this.state, opts);
    const guildId = opts.inDm ? undefined : this.state.guildOf(channelId)?.id;
    const cmd = findCommand(this.state, name, guildId);
    if (!opts.inDm)
      mustBeAbleTo(
        this.state,
        this.id,
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
    const { msg, component } = messageComponent(this.state, this.id, message, customId);
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
    const { msg, component } = messageComponent(this.state, this.id, message, customId);
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
        ...selectResolved(this.state, component.type, values, msg.api.channel_id),
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
      mustBeAbleTo(this.state, this.id, channelId, P.ViewChannel | send, `post in channel ${channelId}`);
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
    addToThread(this.state, this.id, threadId, userId);
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
}
