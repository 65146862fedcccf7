import type {
  APIAllowedMentions,
  APIChannel,
  APIInteraction,
  APIMessage,
  APIModalInteractionResponseCallbackData,
  APIUser,
  InteractionResponseType,
  InteractionType,
} from 'discord-api-types/v10';
import type { Pinged } from './mentions';

export type { Pinged } from './mentions';

/** Bytes of a file the bot uploaded (multipart `files[n]`). */
export interface SandboxFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  data: Buffer;
}

/**
 * A message as the emulator saw it: the Discord message object plus what only the
 * server knows (was it ephemeral, what allowed_mentions said, who really got pinged,
 * the uploaded bytes). Always a snapshot; ask again for later edits.
 */
export interface SentMessage extends APIMessage {
  ephemeral: boolean;
  allowed_mentions: APIAllowedMentions | undefined;
  pinged: Pinged;
  files: SandboxFile[];
  /** Interaction this message answers, if any. */
  interactionId?: string;
  deleted: boolean;
}

/** A Discord user; their memberships (roles, nick) are per guild, in the guild records. */
export interface UserRecord {
  user: APIUser;
  locale: string;
  blocked: boolean;
  dmChannelId?: string;
}

export interface ChannelRecord {
  channel: APIChannel;
  /** Visible (non-ephemeral) messages in order of creation. */
  messageIds: string[];
  /** Thread members: user id → join time. */
  threadMembers?: Map<string, string>;
  createdByBot: boolean;
  deleted: boolean;
}

export interface MessageRecord {
  api: APIMessage;
  guildId?: string;
  ephemeral: boolean;
  /** Only this user sees an ephemeral message. */
  visibleTo?: string;
  allowedMentions: APIAllowedMentions | undefined;
  pinged: Pinged;
  files: SandboxFile[];
  interactionId?: string;
  deleted: boolean;
}

export type InteractionResponseRecord =
  | {
      kind: 'callback';
      type: InteractionResponseType;
      at: number;
      message?: SentMessage;
      modal?: APIModalInteractionResponseCallbackData;
    }
  | { kind: 'edit'; at: number; message: SentMessage; original: boolean }
  | { kind: 'followup'; at: number; message: SentMessage }
  | { kind: 'delete'; at: number; messageId: string };

export interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  userId: string;
  channelId: string;
  guildId?: string;
  payload: APIInteraction;
  createdAt: number;
  callbackType?: InteractionResponseType;
  /** The @original message: the reply, the deferred "thinking" message or the component's message. */
  originalMessageId?: string;
  /** A deferred reply that has not been edited yet (its first follow-up replaces it). */
  loading: boolean;
  /** Message carrying the pressed component, for component and modal-from-component interactions. */
  sourceMessageId?: string;
  responses: InteractionResponseRecord[];
  /** Calls for this interaction that the emulator refused (status and Discord error body). */
  errors: { at: number; method: string; path: string; status: number; body: unknown }[];
}

export interface RequestRecord {
  method: string;
  /** Path after `/api/v10`, decoded. */
  path: string;
  /** Route template, e.g. `/channels/:channel/messages`; `undefined` for unknown routes. */
  route: string | undefined;
  query: Record<string, string>;
  /** Parsed JSON (or `payload_json` of a multipart body). */
  body: unknown;
  files: { field: string; filename: string; size: number; contentType: string }[];
  status: number;
  response: unknown;
  at: number;
  /** Sent with `Authorization: Bot <token>`. */
  authorized: boolean;
  /** Why the emulator refused before reaching the route: rate limit or an injected failure. */
  refusedBy?: 'global-rate-limit' | 'route-rate-limit' | 'injected' | 'auth';
}

export interface ModalRecord extends APIModalInteractionResponseCallbackData {
  interactionId: string;
  userId: string;
  submitted: boolean;
}
