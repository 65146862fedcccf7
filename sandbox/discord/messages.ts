import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  MessageType,
  RESTJSONErrorCodes,
  type APIAttachment,
  type APIEmbed,
  type APIMessage,
  type APIMessageInteractionMetadata,
  type APIThreadChannel,
  type APIUser,
} from 'discord-api-types/v10';
import { ApiError, invalidForm } from './errors';
import { snowflake } from './ids';
import { computePings } from './mentions';
import { P } from './permissions';
import type { SandboxState } from './state';
import type { MessageRecord, SandboxFile } from './types';
import { validateMessageBody, type MessageBodyInput } from './validate';

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface CreateMessageInput {
  channelId: string;
  author: APIUser;
  body: MessageBodyInput;
  files?: UploadedFile[];
  ephemeral?: boolean;
  visibleTo?: string;
  type?: MessageType;
  interactionId?: string;
  interactionMetadata?: APIMessageInteractionMetadata;
  /** Interaction replies and follow-ups carry the application id as webhook_id. */
  webhookId?: string;
  /** Extra flags set by the emulator itself (e.g. LOADING for deferred replies). */
  extraFlags?: number;
  /** Skip the empty-message check (deferred "thinking" messages are empty). */
  allowEmpty?: boolean;
}

// Flags a sender may set on a new message; the rest are Discord's to set.
const SETTABLE_FLAGS =
  MessageFlags.SuppressEmbeds |
  MessageFlags.SuppressNotifications |
  MessageFlags.IsComponentsV2 |
  MessageFlags.Ephemeral;

export function createMessage(state: SandboxState, input: CreateMessageInput): MessageRecord {
  const chRec = state.channel(input.channelId);
  if (!chRec) throw new ApiError(404, RESTJSONErrorCodes.UnknownChannel);
  const files = input.files ?? [];
  if (!input.allowEmpty) validateMessageBody(input.body, { fileCount: files.length, isEdit: false });
  else validateMessageBody(input.body, { fileCount: files.length, isEdit: true });
  reopenArchivedThread(state, input.channelId, input.author.id);

  const ch = chRec.channel;
  const guildId = state.guildOf(ch.id)?.id;
  const ref = input.body.message_reference;
  let referenced: MessageRecord | undefined;
  if (ref?.message_id) {
    referenced = state.messages.get(ref.message_id);
    if (
      (!referenced || referenced.api.channel_id !== (ref.channel_id ?? input.channelId)) &&
      ref.fail_if_not_exists !== false
    ) {
      throw invalidForm([
        { path: 'message_reference', code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' },
      ]);
    }
  }
  const now = Date.now();
  const id = snowflake(now);
  const attachments = attachmentsFor(state, input.channelId, input.body.attachments ?? undefined, files, []);
  const ephemeral = !!input.ephemeral;
  const flags =
    ((input.body.flags ?? 0) & SETTABLE_FLAGS) |
    (ephemeral ? MessageFlags.Ephemeral : 0) |
    (input.extraFlags ?? 0);
  const api: APIMessage = {
    id,
    channel_id: input.channelId,
    author: input.author,
    content: input.body.content ?? '',
    timestamp: new Date(now).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: attachments.map((a) => a.api),
    embeds: normaliseEmbeds(input.body.embeds ?? []),
    pinned: false,
    type: input.type ?? (referenced ? MessageType.Reply : MessageType.Default),
    flags,
    components: (input.body.components ?? []) as APIMessage['components'],
    ...(input.webhookId ? { webhook_id: input.webhookId, application_id: state.applicationId } : {}),
    ...(input.interactionMetadata ? { interaction_metadata: input.interactionMetadata } : {}),
    ...(referenced
      ? {
          message_reference: {
            type: 0,
            message_id: referenced.api.id,
            channel_id: referenced.api.channel_id,
            ...(guildId ? { guild_id: guildId } : {}),
          },
          referenced_message: referenced.api,
        }
      : {}),
  };
  const rec: MessageRecord = {
    api,
    ...(guildId ? { guildId } : {}),
    ephemeral,
    ...(input.visibleTo ? { visibleTo: input.visibleTo } : {}),
    allowedMentions: input.body.allowed_mentions ?? undefined,
    pinged: { everyone: false, roles: [], users: [] },
    files: attachments.map((a) => a.file),
    ...(input.interactionId ? { interactionId: input.interactionId } : {}),
    deleted: false,
  };
  applyPings(state, rec, referenced?.api.author.id);
  state.messages.set(id, rec);
  if (!ephemeral) {
    chRec.messageIds.push(id);
    if ('last_message_id' in ch) ch.last_message_id = id;
    if (state.isThread(ch)) {
      ch.message_count = (ch.message_count ?? 0) + 1;
      ch.total_message_sent = (ch.total_message_sent ?? 0) + 1;
    }
    dispatchMessage(state, GatewayDispatchEvents.MessageCreate, rec);
  }
  state.changed();
  return rec;
}

export function editMessage(
  state: SandboxState,
  rec: MessageRecord,
  body: MessageBodyInput,
  files: UploadedFile[] = [],
  keepLoading = false,
): MessageRecord {
  validateMessageBody(body, { fileCount: files.length, isEdit: true });
  const api = rec.api;
  if (body.content !== undefined) api.content = body.content ?? '';
  if (body.embeds !== undefined) api.embeds = normaliseEmbeds(body.embeds ?? []);
  if (body.components !== undefined) api.components = (body.components ?? []) as APIMessage['components'];
  if (body.allowed_mentions !== undefined) rec.allowedMentions = body.allowed_mentions ?? undefined;
  if (body.flags != null) {
    const keep = api.flags! & (MessageFlags.Ephemeral | MessageFlags.Loading);
    api.flags = (body.flags & (MessageFlags.SuppressEmbeds | MessageFlags.IsComponentsV2)) | keep;
  }
  if (body.attachments !== undefined || files.length) {
    const kept = new Set((body.attachments ?? []).map((a) => String(a.id)));
    const existing = body.attachments === undefined ? rec.files : rec.files.filter((f) => kept.has(f.id));
    const added = attachmentsFor(
      state,
      api.channel_id,
      body.attachments ?? undefined,
      files,
      existing.map((f) => f.id),
    );
    const keptApi = api.attachments.filter((a) => existing.some((f) => f.id === a.id));
    api.attachments = [...keptApi, ...added.map((a) => a.api)];
    rec.files = [...existing, ...added.map((a) => a.file)];
  }
  if (!keepLoading && api.flags) api.flags &= ~MessageFlags.Loading;
  api.edited_timestamp = new Date().toISOString();
  applyPings(state, rec, api.referenced_message?.author.id);
  if (!rec.ephemeral) dispatchMessage(state, GatewayDispatchEvents.MessageUpdate, rec);
  state.changed();
  return rec;
}

export function deleteMessage(state: SandboxState, rec: MessageRecord): void {
  rec.deleted = true;
  const ch = state.channels.get(rec.api.channel_id);
  if (ch) ch.messageIds = ch.messageIds.filter((m) => m !== rec.api.id);
  if (!rec.ephemeral) {
    const intent = rec.guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
    state.dispatch(
      GatewayDispatchEvents.MessageDelete,
      { id: rec.api.id, channel_id: rec.api.channel_id, ...(rec.guildId ? { guild_id: rec.guildId } : {}) },
      { intent },
    );
  }
  state.changed();
}

function dispatchMessage(
  state: SandboxState,
  event: GatewayDispatchEvents.MessageCreate | GatewayDispatchEvents.MessageUpdate,
  rec: MessageRecord,
): void {
  const intent = rec.guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
  // MESSAGE_CONTENT only hides content of other people's guild messages that do not mention the bot.
  const contentExempt =
    !rec.guildId || rec.api.author.id === state.bot.id || rec.api.mentions.some((u) => u.id === state.bot.id);
  state.dispatch(event, state.gatewayMessage(rec), { intent, contentExempt });
}

function applyPings(state: SandboxState, rec: MessageRecord, repliedUserId: string | undefined): void {
  const ch = state.channels.get(rec.api.channel_id)?.channel;
  const inGuild = !!ch && ch.type !== ChannelType.DM;
  const guild = state.guildOf(rec.api.channel_id);
  const computed = computePings({
    content: rec.api.content,
    allowedMentions: rec.allowedMentions,
    ...(repliedUserId ? { repliedUserId } : {}),
    canMentionEveryone: inGuild && state.can(rec.api.author.id, rec.api.channel_id, P.MentionEveryone),
    mentionableRoles: new Set(
      [...(guild?.roles.values() ?? [])].filter((r) => r.mentionable).map((r) => r.id),
    ),
    inGuild,
  });
  // Only roles of the channel's own guild can be pinged there.
  const pinged = { ...computed, roles: computed.roles.filter((r) => guild?.roles.has(r)) };
  rec.pinged = pinged;
  rec.api.mention_everyone = pinged.everyone;
  rec.api.mention_roles = pinged.roles;
  rec.api.mentions = pinged.users.map((id) => state.apiUser(id)).filter((u): u is APIUser => !!u);
}

function normaliseEmbeds(embeds: APIEmbed[]): APIEmbed[] {
  return embeds.map((e) => ({
    type: 'rich' as APIEmbed['type'],
    ...e,
    ...(e.color === null ? { color: undefined } : {}),
  }));
}

function attachmentsFor(
  state: SandboxState,
  channelId: string,
  declared: MessageBodyInput['attachments'] | undefined,
  files: UploadedFile[],
  keepIds: string[],
): { api: APIAttachment; file: SandboxFile }[] {
  // `attachments[].id` in the JSON refers to the upload's index (`files[<id>]`); existing
  // attachment ids are snowflakes and name files to keep.
  return files.map((f, i) => {
    const index = /^files\[(\d+)\]$/.exec(f.field)?.[1] ?? String(i);
    const meta = declared?.find((a) => String(a.id) === index && !keepIds.includes(String(a.id)));
    const id = snowflake();
    const filename = meta?.filename ?? f.filename;
    const url = `${state.origin}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    return {
      api: {
        id,
        filename,
        ...(meta?.description ? { description: meta.description } : {}),
        content_type: f.contentType,
        size: f.data.length,
        url,
        proxy_url: url,
      },
      file: { id, filename, contentType: f.contentType, size: f.data.length, data: f.data },
    };
  });
}

/** Sending into an archived thread unarchives it, unless it is locked and the sender cannot manage threads. */
function reopenArchivedThread(state: SandboxState, channelId: string, authorId: string): void {
  const ch = state.channels.get(channelId)?.channel;
  if (!ch || !state.isThread(ch)) return;
  const meta = (ch as APIThreadChannel).thread_metadata;
  if (!meta?.archived) return;
  if (meta.locked && !state.can(authorId, channelId, P.ManageThreads))
    throw new ApiError(400, RESTJSONErrorCodes.InvalidActionOnArchivedThread);
  meta.archived = false;
  meta.archive_timestamp = new Date().toISOString();
  state.dispatch(GatewayDispatchEvents.ThreadUpdate, { ...ch }, { intent: GatewayIntentBits.Guilds });
}
