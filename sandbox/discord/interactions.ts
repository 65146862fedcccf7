import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  GatewayDispatchEvents,
  InteractionContextType,
  InteractionResponseType,
  InteractionType,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIInteraction,
  type APIMessage,
} from 'discord-api-types/v10';
import { interactionToken, snowflake } from './ids';
import { P } from './permissions';
import type { SandboxState } from './state';
import type {
  InteractionRecord,
  InteractionResponseRecord,
  ModalRecord,
  SentMessage,
  UserRecord,
} from './types';
import { until } from './wait';

export type OptionValue = string | number | boolean;

export interface SlashOptions {
  subcommand?: string;
  group?: string;
  /** Option name → value. User, channel, role and mentionable options take ids. */
  options?: Record<string, OptionValue>;
  /** Guild channel or thread to run in (default: #general of `guildId`). */
  channelId?: string;
  /** The guild to run in (default: the default guild, or the guild of `channelId`). */
  guildId?: string;
  /** Run in the user's DM with the bot (global commands only). */
  inDm?: boolean;
}

export interface GatewayLike {
  hasSession(): boolean;
}

/** What a test holds after it triggered an interaction: the bot's answers as they arrive. */
export class InteractionHandle {
  constructor(
    private readonly state: SandboxState,
    readonly record: InteractionRecord,
  ) {}

  get id(): string {
    return this.record.id;
  }
  get token(): string {
    return this.record.token;
  }
  get payload(): APIInteraction {
    return this.record.payload;
  }
  /** Everything the bot sent for this interaction: callback, edits, follow-ups, deletes. */
  get responses(): InteractionResponseRecord[] {
    return [...this.record.responses];
  }
  /** Calls for this interaction the emulator refused (e.g. a 2nd callback, invalid form). */
  get errors(): InteractionRecord['errors'] {
    return [...this.record.errors];
  }
  get callbackType(): InteractionResponseType | undefined {
    return this.record.callbackType;
  }

  /** Current state of the @original message, if any. */
  original(): SentMessage | undefined {
    const m = this.record.originalMessageId
      ? this.state.messages.get(this.record.originalMessageId)
      : undefined;
    return m ? this.state.view(m) : undefined;
  }

  followUps(): SentMessage[] {
    return this.record.responses.flatMap((r) => (r.kind === 'followup' ? [r.message] : []));
  }

  /** Resolves when the bot acknowledged the interaction in any way. */
  acknowledged(opts: { timeoutMs?: number } = {}): Promise<InteractionResponseRecord> {
    return until(this.state.events, () => this.record.responses.find((r) => r.kind === 'callback'), {
      timeoutMs: opts.timeoutMs,
      what: () => `${this.describe()} to be acknowledged${this.errorSummary()}`,
    });
  }

  /**
   * The first response a user would see: the reply (type 4), the updated message (type 7),
   * or, after a deferral, the first edit of @original or follow-up.
   */
  reply(opts: { timeoutMs?: number } = {}): Promise<SentMessage> {
    return until(
      this.state.events,
      () => {
        const cb = this.record.responses.find((r) => r.kind === 'callback');
        if (!cb || cb.kind !== 'callback') return undefined;
        if (cb.type === InteractionResponseType.Modal)
          throw new Error(
            `${this.describe()} was answered with a modal (${cb.modal?.custom_id}), not a message`,
          );
        if (
          cb.type === InteractionResponseType.ChannelMessageWithSource ||
          cb.type === InteractionResponseType.UpdateMessage
        )
          return cb.message;
        const later = this.record.responses.find(
          (r) => (r.kind === 'edit' && r.original) || r.kind === 'followup',
        );
        return later && 'message' in later ? later.message : undefined;
      },
      {
        timeoutMs: opts.timeoutMs,
        what: () =>
          `a visible reply to ${this.describe()} (got: ${this.responseSummary()})${this.errorSummary()}`,
      },
    );
  }

  /** Resolves with the modal the bot opened (response type 9). */
  modal(opts: { timeoutMs?: number } = {}): Promise<ModalRecord> {
    return until(
      this.state.events,
      () => {
        const cb = this.record.responses.find((r) => r.kind === 'callback');
        if (!cb || cb.kind !== 'callback') return undefined;
        if (cb.type !== InteractionResponseType.Modal)
          throw new Error(`${this.describe()} was answered with response type ${cb.type}, not a modal`);
        return this.state.modals.find((m) => m.interactionId === this.id);
      },
      { timeoutMs: opts.timeoutMs, what: () => `a modal for ${this.describe()}${this.errorSummary()}` },
    );
  }

  /** Resolves with the n-th follow-up (0-based; default: the next one not yet returned). */
  nextFollowUp(opts: { timeoutMs?: number } = {}): Promise<SentMessage> {
    const index = this.followUpCursor++;
    return until(this.state.events, () => this.followUps()[index], {
      timeoutMs: opts.timeoutMs,
      what: () =>
        `follow-up #${index + 1} to ${this.describe()} (got: ${this.responseSummary()})${this.errorSummary()}`,
    });
  }
  private followUpCursor = 0;

  describe(): string {
    const d = this.record.payload.data as { name?: string; custom_id?: string } | undefined;
    const what = d?.name ? `/${d.name}` : `component ${d?.custom_id}`;
    return `interaction ${what}`;
  }

  private responseSummary(): string {
    if (!this.record.responses.length) return 'nothing';
    return this.record.responses
      .map((r) => (r.kind === 'callback' ? `callback type ${r.type}` : r.kind))
      .join(', ');
  }

  private errorSummary(): string {
    if (!this.record.errors.length) return '';
    return `; refused calls: ${this.record.errors.map((e) => `${e.method} ${e.path} → ${e.status} ${JSON.stringify(e.body)}`).join('; ')}`;
  }
}

interface NewInteraction {
  type: InteractionType;
  user: UserRecord;
  channelId: string;
  data: unknown;
  sourceMessage?: APIMessage;
}

/** Builds the INTERACTION_CREATE payload Discord would send and dispatches it. */
export function dispatchInteraction(
  state: SandboxState,
  gateway: GatewayLike,
  n: NewInteraction,
): InteractionHandle {
  if (!gateway.hasSession())
    throw new Error('no discord.js client is connected to the sandbox gateway (await dc.ready() first)');
  const chRec = state.channel(n.channelId);
  if (!chRec) throw new Error(`unknown channel ${n.channelId}`);
  const ch = chRec.channel;
  const inGuild = ch.type !== ChannelType.DM;
  const guild = state.guildOf(ch.id);
  if (inGuild && !guild) throw new Error(`channel ${ch.id} belongs to no guild the bot is in`);
  const member = inGuild ? state.interactionMember(n.user.user.id, ch.id) : undefined;
  if (inGuild && !member) throw new Error(`user ${n.user.user.id} is not a member of guild ${guild!.id}`);
  const id = snowflake();
  const token = interactionToken();
  const userId = n.user.user.id;
  const channelPayload = inGuild
    ? { ...ch, permissions: state.permissions(userId, ch.id).toString() }
    : { ...ch, recipients: [n.user.user] };
  const payload = {
    id,
    application_id: state.applicationId,
    type: n.type,
    data: n.data,
    token,
    version: 1,
    channel: channelPayload,
    channel_id: ch.id,
    app_permissions: (inGuild
      ? state.permissions(state.bot.id, ch.id)
      : P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles
    ).toString(),
    locale: n.user.locale,
    entitlements: [],
    authorizing_integration_owners: guild ? { '0': guild.id } : { '0': '0' },
    context: inGuild ? InteractionContextType.Guild : InteractionContextType.BotDM,
    attachment_size_limit: 10 * 1024 * 1024,
    ...(guild
      ? {
          guild_id: guild.id,
          guild: { id: guild.id, locale: guild.locale, features: [] },
          guild_locale: guild.locale,
          member,
        }
      : { user: n.user.user }),
    ...(n.sourceMessage ? { message: n.sourceMessage } : {}),
  } as unknown as APIInteraction;
  const record: InteractionRecord = {
    id,
    token,
    type: n.type,
    userId,
    channelId: ch.id,
    ...(guild ? { guildId: guild.id } : {}),
    payload,
    createdAt: Date.now(),
    loading: false,
    ...(n.sourceMessage ? { sourceMessageId: n.sourceMessage.id } : {}),
    responses: [],
    errors: [],
  };
  state.interactions.set(id, record);
  state.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
  state.changed();
  return new InteractionHandle(state, record);
}

/**
 * The `data` of a chat-input command, checked against the registered definition; user and
 * role options resolve in `guildId` (members and roles are per guild), none in DMs.
 */
export function slashData(
  state: SandboxState,
  cmd: APIApplicationCommand,
  opts: SlashOptions,
  guildId: string | undefined,
): unknown {
  const resolved = {
    users: {} as Record<string, unknown>,
    members: {} as Record<string, unknown>,
    roles: {} as Record<string, unknown>,
    channels: {} as Record<string, unknown>,
  };
  let defs = cmd.options ?? [];
  const path: { name: string; type: ApplicationCommandOptionType }[] = [];
  if (opts.group) {
    const g = defs.find(
      (o) => o.type === ApplicationCommandOptionType.SubcommandGroup && o.name === opts.group,
    );
    if (!g) throw new Error(`/${cmd.name} has no subcommand group "${opts.group}"`);
    path.push({ name: g.name, type: g.type });
    defs = (g as { options?: APIApplicationCommandOption[] }).options ?? [];
  }
  const hasSubs = defs.some((o) => o.type === ApplicationCommandOptionType.Subcommand);
  if (opts.subcommand || hasSubs) {
    const names = defs.filter((o) => o.type === ApplicationCommandOptionType.Subcommand).map((o) => o.name);
    const s = defs.find(
      (o) => o.type === ApplicationCommandOptionType.Subcommand && o.name === opts.subcommand,
    );
    if (!s)
      throw new Error(
        `/${cmd.name} needs a subcommand (one of: ${names.join(', ') || 'none'}), got "${opts.subcommand ?? ''}"`,
      );
    path.push({ name: s.name, type: s.type });
    defs = (s as { options?: APIApplicationCommandOption[] }).options ?? [];
  }
  const given = opts.options ?? {};
  const leaf = Object.entries(given).map(([name, value]) => {
    const def = defs.find((d) => d.name === name);
    if (!def)
      throw new Error(
        `/${cmd.name} ${path.map((p) => p.name).join(' ')} has no option "${name}" (options: ${defs.map((d) => d.name).join(', ')})`,
      );
    checkOption(state, guildId, def, value, resolved);
    return { name, type: def.type, value };
  });
  for (const d of defs) {
    if ('required' in d && d.required && !(d.name in given))
      throw new Error(`/${cmd.name}: required option "${d.name}" missing`);
  }
  let options: unknown[] = leaf;
  for (const p of [...path].reverse()) options = [{ name: p.name, type: p.type, options }];
  const hasResolved = Object.values(resolved).some((r) => Object.keys(r).length);
  return {
    id: cmd.id,
    name: cmd.name,
    type: ApplicationCommandType.ChatInput,
    ...(options.length ? { options } : {}),
    ...(hasResolved
      ? { resolved: Object.fromEntries(Object.entries(resolved).filter(([, v]) => Object.keys(v).length)) }
      : {}),
    ...(cmd.guild_id ? { guild_id: cmd.guild_id } : {}),
  };
}

function checkOption(
  state: SandboxState,
  guildId: string | undefined,
  def: APIApplicationCommandOption,
  value: OptionValue,
  resolved: Record<'users' | 'members' | 'roles' | 'channels', Record<string, unknown>>,
): void {
  const T = ApplicationCommandOptionType;
  const fail = (why: string) => {
    throw new Error(`option "${def.name}": ${why}`);
  };
  switch (def.type) {
    case T.String:
      if (typeof value !== 'string') fail('expects a string');
      break;
    case T.Integer:
      if (!Number.isInteger(value)) fail('expects an integer');
      break;
    case T.Number:
      if (typeof value !== 'number') fail('expects a number');
      break;
    case T.Boolean:
      if (typeof value !== 'boolean') fail('expects a boolean');
      break;
    case T.User:
    case T.Mentionable: {
      const id = String(value);
      const user = state.apiUser(id);
      if (user) {
        resolved.users[id] = user;
        const m = guildId ? state.member(id, guildId) : undefined;
        if (m) {
          const { user: _u, ...rest } = m;
          resolved.members[id] = { ...rest, permissions: '0' };
        }
      } else if (def.type === T.Mentionable && guildId && state.role(id, guildId))
        resolved.roles[id] = state.role(id, guildId);
      else fail(`unknown user ${id}`);
      break;
    }
    case T.Role: {
      const role = guildId ? state.role(String(value), guildId) : undefined;
      if (!role) fail(`unknown role ${value}${guildId ? ` in guild ${guildId}` : ''}`);
      resolved.roles[String(value)] = role;
      break;
    }
    case T.Channel: {
      const ch = state.channel(String(value))?.channel;
      if (!ch) fail(`unknown channel ${value}`);
      const c = ch as {
        id: string;
        name?: string | null;
        type: number;
        parent_id?: string | null;
        thread_metadata?: unknown;
      };
      resolved.channels[c.id] = {
        id: c.id,
        name: c.name,
        type: c.type,
        permissions: state.permissions(state.bot.id, c.id).toString(),
        ...(c.parent_id ? { parent_id: c.parent_id } : {}),
        ...(c.thread_metadata ? { thread_metadata: c.thread_metadata } : {}),
      };
      break;
    }
    default:
      fail(`option type ${def.type} is not supported by the sandbox`);
  }
  if ('choices' in def && def.choices?.length && !def.choices.some((c) => c.value === value)) {
    fail(
      `value ${JSON.stringify(value)} is not one of the choices ${def.choices.map((c) => JSON.stringify(c.value)).join(', ')}`,
    );
  }
}

type AnyComponent = {
  type: number;
  custom_id?: string;
  disabled?: boolean;
  options?: { value: string }[];
  min_values?: number;
  max_values?: number;
  [k: string]: unknown;
};

/** Finds a component with this custom_id anywhere in a message's component tree. */
export function findComponent(components: unknown, customId: string): AnyComponent | undefined {
  const all = allComponents(components);
  return all.find((c) => c.custom_id === customId);
}

export function allComponents(components: unknown): AnyComponent[] {
  const out: AnyComponent[] = [];
  const visit = (c: unknown) => {
    if (Array.isArray(c)) return c.forEach(visit);
    if (!c || typeof c !== 'object') return;
    const comp = c as AnyComponent;
    if (typeof comp.type === 'number') out.push(comp);
    for (const k of ['components', 'accessory', 'component']) if (k in comp) visit(comp[k]);
  };
  visit(components);
  return out;
}

export const SELECT_TYPES = new Set<number>([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);
