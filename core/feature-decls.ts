// What a feature declares for its commands, buttons and forms (parameters, Discord placement,
// modal fields, files): the declaration shapes, apart from the context handlers run with.
import type { MessageKey } from './i18n';
import type { Args, FeatureContext, HandlerResult, Permission } from './feature';

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
