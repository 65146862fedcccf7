import {
  ChannelType,
  ComponentType,
  InteractionType,
  type APIApplicationCommand,
} from 'discord-api-types/v10';
import { snowflake } from './ids';
import { createMessage, editMessage } from './messages';
import { P } from './permissions';
import type { SandboxState, UserOptions } from './state';
import type { ModalRecord, SentMessage, UserRecord } from './types';
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

export type MessageRef = string | { id: string };

/** Modal field values: text inputs take a string, selects inside labels take string[]. */
/** A file a user uploads in a modal's File Upload field. */
export interface UploadedFile {
  filename: string;
  contentType?: string;
  size?: number;
}

export type ModalValues = Record<string, string | string[] | UploadedFile[]>;

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
  get roles(): string[] {
    return [...this.rec.roles];
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

  /** Runs a registered chat-input command, as if typed in Discord. */
  async slash(name: string, opts: SlashOptions = {}): Promise<InteractionHandle> {
    const channelId = opts.inDm
      ? this.state.ensureDm(this.id).channel.id
      : (opts.channelId ?? this.state.generalChannelId);
    const cmd = this.findCommand(name, !!opts.inDm);
    if (!opts.inDm)
      this.mustBeAbleTo(
        channelId,
        P.ViewChannel | P.UseApplicationCommands,
        `use /${name} in channel ${channelId}`,
      );
    const data = slashData(this.state, cmd, opts);
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
        ...this.selectResolved(component.type, values),
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

  /** From now on the bot's DMs to this user fail with 50007. */
  blockDms(): void {
    this.rec.blocked = true;
    this.state.changed();
  }

  unblockDms(): void {
    this.rec.blocked = false;
    this.state.changed();
  }

  private findCommand(name: string, inDm: boolean): APIApplicationCommand {
    const guild = inDm ? [] : (this.state.guildCommands.get(this.state.guildId) ?? []);
    const cmd = [...guild, ...this.state.globalCommands].find((c) => c.name === name && c.type === 1);
    if (!cmd) {
      const known = [...guild, ...this.state.globalCommands].map((c) => c.name);
      throw new Error(
        `/${name} is not registered${inDm ? ' globally (DMs only see global commands)' : ''} (registered: ${known.join(', ') || 'none'})`,
      );
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

  private selectResolved(type: number, values: string[]): Record<string, unknown> {
    if (type === ComponentType.StringSelect) return {};
    const users: Record<string, unknown> = {};
    const members: Record<string, unknown> = {};
    const roles: Record<string, unknown> = {};
    const channels: Record<string, unknown> = {};
    for (const v of values) {
      const u = this.state.apiUser(v);
      if (u) {
        users[v] = u;
        const m = this.state.member(v);
        if (m) members[v] = { ...m, user: undefined, permissions: '0' };
      } else if (this.state.roles.has(v)) roles[v] = this.state.roles.get(v);
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

type ModalComponent = {
  type: number;
  id?: number;
  custom_id?: string;
  required?: boolean;
  min_length?: number;
  max_length?: number;
  label?: string;
  components?: ModalComponent[];
  component?: ModalComponent;
  options?: { value: string }[];
  min_values?: number;
  max_values?: number;
};

const origin0 = (state: SandboxState, modal: ModalRecord) =>
  state.interactions.get(modal.interactionId)?.channelId ?? '0';

/** The submitted `components`, mirroring the modal's layout (action rows or labels). */
function modalAnswer(
  modal: ModalRecord,
  values: ModalValues,
  base: string,
  channelId: string,
): { components: unknown[]; attachments: Record<string, unknown> } {
  const seen = new Set<string>();
  const attachments: Record<string, unknown> = {};
  const answer = (input: ModalComponent) => {
    const id = input.custom_id!;
    seen.add(id);
    const given = values[id];
    if (input.type === ComponentType.FileUpload) {
      // Discord uploads the files, then sends their ids in `values` and the attachments in `resolved`.
      const files = (Array.isArray(given) ? given : []).filter(
        (f): f is UploadedFile => typeof f === 'object',
      );
      if (given !== undefined && files.length !== (given as unknown[]).length)
        throw new Error(`modal field "${id}" is a file upload; give files`);
      const min = input.min_values ?? 1;
      const max = input.max_values ?? 1;
      if ((input.required ?? true) && files.length < Math.max(1, min))
        throw new Error(`modal field "${id}" is required`);
      if (files.length > max) throw new Error(`modal field "${id}" takes at most ${max} file(s)`);
      const ids = files.map((f) => {
        const aid = snowflake();
        const url = `${base}/attachments/${channelId}/${aid}/${encodeURIComponent(f.filename)}`;
        attachments[aid] = {
          id: aid,
          filename: f.filename,
          ...(f.contentType ? { content_type: f.contentType } : {}),
          size: f.size ?? 1024,
          url,
          proxy_url: url,
        };
        return aid;
      });
      return {
        type: input.type,
        ...(input.id !== undefined ? { id: input.id } : {}),
        custom_id: id,
        values: ids,
      };
    }
    if (input.type === ComponentType.TextInput) {
      const value = typeof given === 'string' ? given : '';
      if (Array.isArray(given)) throw new Error(`modal field "${id}" is a text input; give a string`);
      if ((input.required ?? true) && !value) throw new Error(`modal field "${id}" is required`);
      if (value && input.min_length !== undefined && value.length < input.min_length)
        throw new Error(`modal field "${id}" needs at least ${input.min_length} characters`);
      if (input.max_length !== undefined && value.length > input.max_length)
        throw new Error(`modal field "${id}" allows at most ${input.max_length} characters`);
      return { type: input.type, ...(input.id !== undefined ? { id: input.id } : {}), custom_id: id, value };
    }
    if (Array.isArray(given) && given.some((g) => typeof g !== 'string'))
      throw new Error(`modal field "${id}" is a select; give option values`);
    const picked = given === undefined ? [] : ([] as string[]).concat(given as string | string[]);
    if ((input.required ?? true) && !picked.length) throw new Error(`modal field "${id}" is required`);
    return {
      type: input.type,
      ...(input.id !== undefined ? { id: input.id } : {}),
      custom_id: id,
      values: picked,
    };
  };
  const out: unknown[] = [];
  for (const c of modal.components as unknown as ModalComponent[]) {
    if (c.type === ComponentType.ActionRow) {
      out.push({
        type: c.type,
        ...(c.id !== undefined ? { id: c.id } : {}),
        components: (c.components ?? []).map(answer),
      });
    } else if (c.type === ComponentType.Label && c.component) {
      out.push({ type: c.type, ...(c.id !== undefined ? { id: c.id } : {}), component: answer(c.component) });
    }
  }
  const unknown = Object.keys(values).filter((k) => !seen.has(k));
  if (unknown.length)
    throw new Error(
      `modal "${modal.custom_id}" has no field(s) ${unknown.join(', ')} (fields: ${[...seen].join(', ')})`,
    );
  return { components: out, attachments };
}
