// Feature modules: each feature (start/help/lang, wallets, nodes, alerts, tickets,
// moderation, assistant, dashboard) declares its commands, buttons, modals, dialogues and
// free-text holders with the permission each needs. Both adapters build their menus and
// route their input from these declarations alone (no second table). Handlers are
// platform-neutral: they get a FeatureContext and return an Outcome. See
// docs/architecture.md "Writing a feature module".
import type { Locale, MessageKey, Params } from './i18n';
import type {
  ChatPlatform,
  ConversationPort,
  MessageRef,
  Target,
  ThreadRef,
  Visibility,
} from './conversation';
import type { Reply } from './reply';
import type { ButtonDecl, CommandDecl, InboundFile, ModalDecl } from './feature-decls';

export {
  encodeFiles,
  filesOf,
  type ButtonDecl,
  type CommandDecl,
  type DiscordPlacement,
  type InboundFile,
  type ModalDecl,
  type ModalField,
  type ParamChoice,
  type ParamDecl,
} from './feature-decls';

/** Who may use a command, button, modal or holder. Checked in one place, before the handler runs. */
export type Permission = 'everyone' | 'staff' | 'moderator';
export type StaffRole = 'staff' | 'moderator';

/** The person acting (structurally the same as accounts' IdentityRecord). */
export interface ActorIdentity {
  id: string;
  userId: string;
  platform: ChatPlatform;
  platformUserId: string;
  username: string | null;
  locale: Locale;
  localeIsChosen: boolean;
  dmChatId: string | null;
  dmReachable: boolean;
}

export interface Actor {
  identity: ActorIdentity;
  /** Display name for greetings (user-controlled: adapters render it escaped). */
  displayName: string;
  /** Empty for everyone else; moderators are always staff too. */
  roles: ReadonlySet<StaffRole>;
}

/** Where the input came from. */
export type Origin =
  | { kind: 'dm'; platform: ChatPlatform; chatId: string }
  /** A group or guild channel that is not a thread; `staff` = TELEGRAM_STAFF_CHAT_ID or a staff channel. */
  | { kind: 'group'; platform: ChatPlatform; chatId: string; staff: boolean }
  /** A Telegram forum topic or a Discord thread. */
  | ({ kind: 'thread'; staff: boolean } & ThreadRef);

/** What a handler asks the adapter to do with the interaction. */
export type Outcome =
  /** Answer where the input came from. Default visibility: ephemeral on Discord for interactions. */
  | { kind: 'reply'; reply: Reply; visibility?: Visibility }
  /** Buttons and modal submits: edit the message that carried the button, in place. */
  | { kind: 'update'; reply: Reply }
  /** Open a modal declared by the same feature (Discord: a real modal; Telegram: asked one field at a time). */
  | { kind: 'modal'; action: string; arg?: string; prefill?: Record<string, string> }
  /** A short notice: Telegram callback answer text (alert = popup), Discord ephemeral reply. */
  | { kind: 'toast'; text: string; alert?: boolean }
  /** Nothing more to say (the callback query is still answered, the interaction acknowledged). */
  | { kind: 'none' };

/** A plain Reply is shorthand for `{ kind: 'reply', reply }`. */
export type HandlerResult = Outcome | Reply;

export type Args = Record<string, string>;

/** Written once by the layer after a staff action succeeds; a handler may say what it acted on. */
export interface AuditNote {
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
  /** The action changed nothing (a repeat, or another moderator got there first): no audit entry. */
  unchanged?: boolean;
}

export interface FeatureContext {
  /** The module handling the input. */
  feature: string;
  actor: Actor;
  locale: Locale;
  /** t() in the actor's language. */
  t(key: MessageKey, params?: Params): string;
  origin: Origin;
  /** The interaction itself as a target (for extra messages in answer to it). */
  here: Target;
  /** The message that carried the pressed button, when there is one. */
  message?: MessageRef;
  /** Files that came with this input (a Telegram photo or document captioned with the command). */
  files?: readonly InboundFile[];
  /** Discord: the guild the input came from (several guilds share one deployment). */
  guildId?: string;
  /** Downloads one of `files` (Telegram getFile, Discord's CDN); null when it is not available. */
  fetchFile?(file: InboundFile): Promise<Buffer | null>;
  /** The outbound port (threads, posts, edits, files) for both platforms. */
  conversation: ConversationPort;
  /** Dialogue (intake) state of this actor: persisted, survives a restart. */
  dialogue: DialogueControl;
  /** Sets the subject of the audit entry the layer writes for a staff action (no-op for `everyone`). */
  auditAs(note: AuditNote): void;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type DialogueState = { [k: string]: JsonValue };

export type DialogueInput =
  | { kind: 'text'; text: string }
  /** A button of this feature pressed while the dialogue runs (its action and id). */
  | { kind: 'button'; action: string; id: string };

export type DialogueStep = { next: DialogueState; say?: HandlerResult } | { end: true; say?: HandlerResult };

/** A persisted intake dialogue (one question at a time). `/cancel` always leaves it. */
export interface DialogueDecl {
  /** Unique within the feature. */
  name: string;
  permission: Permission;
  /** Idle time after which it is dropped (default 30 min). */
  ttlSeconds?: number;
  step(ctx: FeatureContext, state: DialogueState, input: DialogueInput): Promise<DialogueStep>;
}

export interface DialogueControl {
  /** Starts (or restarts) one of this feature's dialogues for the actor. */
  start(name: string, state: DialogueState): Promise<void>;
  end(): Promise<void>;
  current(): Promise<{ feature: string; name: string; state: DialogueState } | null>;
}

/** A message of free text (not a command) from a DM, or from a thread/topic the bot owns. */
export interface InboundText {
  text: string;
  origin: Origin;
  /** The person's message, e.g. to quote it. */
  message: MessageRef;
}

/** Holders are offered free text in ascending `order`; the first that takes it wins. */
export const HOLDER_ORDER = { dialogue: 100, ticket: 200, assistant: 1000 } as const;

export interface TextHolder {
  name: string;
  /** See HOLDER_ORDER. Running dialogues are always offered first (built in). */
  order: number;
  /** Where it listens (DMs; threads/topics for staff-side relays). */
  where: ReadonlyArray<'dm' | 'thread'>;
  permission: Permission;
  /** Also offered input that is only files, without text (a photo without a caption). */
  files?: boolean;
  /** Returns null when this holder does not hold the conversation: the next one is asked. */
  offer(ctx: FeatureContext, input: InboundText): Promise<HandlerResult | null>;
  /**
   * The author edited an earlier message (`input.message` names it, `input.text` is the new
   * text). Nothing is answered; null when it is not this holder's message.
   */
  edited?(ctx: FeatureContext, input: InboundText): Promise<HandlerResult | null>;
}

export interface FeatureModule {
  /** Button/modal id prefix and audit namespace: `[a-z][a-z0-9_-]{0,15}`. */
  id: string;
  /** Extra id prefixes this module answers (buttons on messages sent before a rename, e.g. `lang:zh`). */
  aliases?: readonly string[];
  /** Top-level Discord commands that only group subcommands (`/nodes add|list|remove`). */
  discordGroups?: ReadonlyArray<{ name: string; descriptionKey: MessageKey }>;
  commands?: readonly CommandDecl[];
  buttons?: readonly ButtonDecl[];
  modals?: readonly ModalDecl[];
  dialogues?: readonly DialogueDecl[];
  holders?: readonly TextHolder[];
}

/** Identity function that keeps the literal types and checks the shape. */
export const defineFeature = <T extends FeatureModule>(m: T): T => m;

export const MAX_CUSTOM_ID_BYTES = 64;

/** `<feature>:<action>:<id>`; throws when longer than Telegram's 64-byte callback_data. */
export function customId(feature: string, action: string, id = ''): string {
  const out = `${feature}:${action}:${id}`;
  if (Buffer.byteLength(out, 'utf8') > MAX_CUSTOM_ID_BYTES)
    throw new Error(`custom id over ${MAX_CUSTOM_ID_BYTES} bytes: ${feature}:${action}:…`);
  return out;
}

/** Splits a custom id; `lang:zh` (no id part) parses as feature lang, action zh, id ''. */
export function parseCustomId(raw: string): { feature: string; action: string; id: string } | null {
  const m = /^([a-z][a-z0-9_-]{0,15}):([A-Za-z0-9_.-]*)(?::([\s\S]*))?$/.exec(raw);
  if (!m) return null;
  return { feature: m[1]!, action: m[2]!, id: m[3] ?? '' };
}

export function isOutcome(r: HandlerResult): r is Outcome {
  return 'kind' in r && typeof (r as { kind: unknown }).kind === 'string';
}

export const asOutcome = (r: HandlerResult): Outcome => (isOutcome(r) ? r : { kind: 'reply', reply: r });

/** Moderators are staff; `everyone` needs nothing. */
export function allows(permission: Permission, roles: ReadonlySet<StaffRole>): boolean {
  if (permission === 'everyone') return true;
  if (permission === 'staff') return roles.has('staff') || roles.has('moderator');
  return roles.has('moderator');
}
