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

export interface ParamChoice {
  value: string;
  /** Label shown in menus (Discord choice name + name_localizations); defaults to the value. */
  labelKey?: MessageKey;
}

export interface ParamDecl {
  /** Lower-case `[a-z0-9_]{1,32}` (Discord's option rule). */
  name: string;
  descriptionKey: MessageKey;
  /** Default false; a missing required parameter gets the command's usage text from the handler. */
  required?: boolean;
  /** Telegram: takes the rest of the line (free text). Must be the last parameter. */
  rest?: boolean;
  choices?: readonly ParamChoice[];
  maxLength?: number;
  /** Discord option name when it differs (e.g. `/link wallet address:` fills `wallet`). */
  discordName?: string;
}

/** Where a command appears on Discord: top level, or a subcommand of a group. */
export interface DiscordPlacement {
  /** Group (top-level command) it sits under, declared in some module's `discordGroups`. */
  group?: string;
  /** Subcommand or top-level name; defaults to the command name. */
  name?: string;
  /** Arguments the placement implies (`/alerts unmute` = mute with duration off). */
  fixed?: Args;
  descriptionKey?: MessageKey;
}

export interface CommandDecl {
  /** Telegram command (`[a-z0-9_]{1,32}`) and the default Discord name. */
  name: string;
  descriptionKey: MessageKey;
  params?: readonly ParamDecl[];
  permission: Permission;
  /** Discord placements (one command may appear twice, e.g. `/alerts mute` and `/alerts unmute`); false = Telegram only. */
  discord?: DiscordPlacement | readonly DiscordPlacement[] | false;
  /** false = Discord only. Staff commands are listed in the staff chat's menu only. */
  telegram?: boolean;
  /** Listed in /help (default true). */
  help?: boolean;
  handler(ctx: FeatureContext, args: Args): Promise<HandlerResult>;
}

/** Ids are `<feature>:<action>:<id>` (the id part may be empty), at most 64 bytes (Telegram callback_data). */
export interface ButtonDecl {
  action: string;
  permission: Permission;
  handler(ctx: FeatureContext, id: string): Promise<HandlerResult>;
}

export type ModalField =
  | {
      kind: 'text';
      /** Key of the value in `submit`'s values, `[a-z0-9_]{1,32}`. */
      name: string;
      labelKey: MessageKey;
      style?: 'short' | 'paragraph';
      required?: boolean;
      minLength?: number;
      maxLength?: number;
      placeholderKey?: MessageKey;
    }
  | {
      kind: 'select';
      name: string;
      labelKey: MessageKey;
      options: readonly ParamChoice[];
      required?: boolean;
    }
  /** Files (Discord: a modal File Upload; Telegram: a photo or document sent at that step). Read with filesOf. */
  | { kind: 'file'; name: string; labelKey: MessageKey; required?: boolean; maxFiles?: number };

/** A file a person sent with their input: a Discord attachment, a Telegram photo or document. */
export interface InboundFile {
  name: string;
  contentType?: string;
  size?: number;
  /** Where the platform serves it (Discord's CDN URL); Telegram gives a file id instead. */
  url?: string;
  /** The platform's own reference (Telegram file_id, Discord attachment id). */
  ref?: string;
}

/** A file field's value in `submit`'s values is its files as JSON (forms persist values as strings). */
export const encodeFiles = (files: readonly InboundFile[]): string => JSON.stringify(files.slice(0, 10));

/** The files of a file field (an empty list for a skipped or malformed value). */
export function filesOf(values: Args, name: string): InboundFile[] {
  try {
    const v: unknown = JSON.parse(values[name] ?? '[]');
    if (!Array.isArray(v)) return [];
    return v
      .filter((f): f is InboundFile => typeof f === 'object' && f !== null && typeof f.name === 'string')
      .slice(0, 10)
      .map((f) => ({
        name: f.name.slice(0, 200),
        ...(typeof f.contentType === 'string' ? { contentType: f.contentType.slice(0, 100) } : {}),
        ...(typeof f.size === 'number' ? { size: f.size } : {}),
        ...(typeof f.url === 'string' ? { url: f.url.slice(0, 500) } : {}),
        ...(typeof f.ref === 'string' ? { ref: f.ref.slice(0, 300) } : {}),
      }));
  } catch {
    return [];
  }
}

/** A form. Discord: a modal (at most 5 fields); Telegram: a dialogue asking each field in turn. */
export interface ModalDecl {
  action: string;
  titleKey: MessageKey;
  fields: readonly ModalField[];
  permission: Permission;
  submit(ctx: FeatureContext, values: Args, id: string): Promise<HandlerResult>;
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
