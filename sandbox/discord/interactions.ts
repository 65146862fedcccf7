import {
  ChannelType,
  GatewayDispatchEvents,
  InteractionContextType,
  InteractionResponseType,
  InteractionType,
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

export { allComponents, findComponent, SELECT_TYPES } from './components';
export { slashData } from './slash-options';

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
