// How Discord input becomes the router's Inbound: who, where (DM, thread, channel), which
// message, and its files or modal values. Pure translation, apart from the bot's event wiring.
import {
  ComponentType,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type ModalSubmitInteraction,
  type User,
} from 'discord.js';
import type { Contact } from '../../accounts/identity';
import { encodeFiles, type InboundFile, type Origin } from '../../core/feature';
import type { Inbound } from '../shared/router';

export type Answerable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

export function contactOf(user: User, locale: string | null): Contact {
  return { platform: 'DISCORD', platformUserId: user.id, username: user.username, languageCode: locale };
}

function memberRoleIds(i: Interaction): readonly string[] | undefined {
  const m = i.member;
  if (!m) return undefined;
  const roles = m.roles as unknown;
  if (Array.isArray(roles)) return roles as string[];
  return [...(m.roles as { cache: Map<string, unknown> }).cache.keys()];
}

export function originOf(
  channel: { id: string; isThread(): boolean; isDMBased(): boolean; parentId?: string | null } | null,
  channelId: string,
  staffChannelIds: readonly string[] | undefined,
): Origin {
  const staffIds = staffChannelIds ?? [];
  if (!channel || channel.isDMBased()) return { kind: 'dm', platform: 'DISCORD', chatId: channelId };
  if (channel.isThread()) {
    const parent = channel.parentId ?? channelId;
    return {
      kind: 'thread',
      platform: 'DISCORD',
      chatId: parent,
      threadId: channelId,
      staff: staffIds.includes(parent),
    };
  }
  return { kind: 'group', platform: 'DISCORD', chatId: channelId, staff: staffIds.includes(channelId) };
}

export function interactionInbound(i: Answerable, staffChannelIds: readonly string[] | undefined): Inbound {
  const origin = originOf(i.channel, i.channelId ?? '', staffChannelIds);
  const roles = memberRoleIds(i);
  const source = 'message' in i && i.message ? i.message : null;
  return {
    contact: contactOf(i.user, i.locale),
    displayName: i.user.globalName ?? i.user.username,
    origin,
    here: { kind: 'interaction', platform: 'DISCORD', interactionId: i.id, visibility: 'ephemeral' },
    ...(source
      ? {
          message: {
            platform: 'DISCORD' as const,
            chatId: origin.chatId,
            ...(origin.kind === 'thread' ? { threadId: origin.threadId } : {}),
            messageId: source.id,
          },
        }
      : {}),
    ...(roles ? { memberRoleIds: roles } : {}),
    ...(i.guildId ? { guildId: i.guildId } : {}),
  };
}

/** Who wrote a message, where, and which message: shared by new and edited messages. */
export function messageInbound(message: Message, staffChannelIds: readonly string[] | undefined): Inbound {
  const origin = originOf(message.channel, message.channel.id, staffChannelIds);
  return {
    contact: contactOf(message.author, null),
    displayName: message.author.globalName ?? message.author.username,
    origin,
    here: { kind: 'channel', platform: 'DISCORD', chatId: message.channel.id },
    message: {
      platform: 'DISCORD',
      chatId: origin.chatId,
      ...(origin.kind === 'thread' ? { threadId: origin.threadId } : {}),
      messageId: message.id,
    },
    ...(message.member ? { memberRoleIds: [...message.member.roles.cache.keys()] } : {}),
  };
}

/** A modal submit's fields as the router's values (uploaded files encoded, selections joined). */
export function modalValues(interaction: ModalSubmitInteraction): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [id, f] of interaction.fields.fields) {
    if (f.type === ComponentType.FileUpload)
      values[id] = encodeFiles(
        [...(interaction.fields.getUploadedFiles(id) ?? new Map()).values()].map((a) => ({
          name: a.name,
          size: a.size,
          url: a.url,
          ref: a.id,
          ...(a.contentType ? { contentType: a.contentType } : {}),
        })),
      );
    else if ('value' in f && typeof f.value === 'string') values[id] = f.value;
    else if ('values' in f && Array.isArray(f.values)) values[id] = (f.values as string[]).join(',');
  }
  return values;
}

/** A message's attachments, by CDN URL (fetched while the signed link is fresh). */
export function discordFiles(message: Message): InboundFile[] {
  return [...message.attachments.values()].slice(0, 10).map((a) => ({
    name: a.name.slice(0, 200),
    ...(a.contentType ? { contentType: a.contentType } : {}),
    size: a.size,
    url: a.url,
    ref: a.id,
  }));
}

export async function fetchDiscordFile(file: InboundFile): Promise<Buffer | null> {
  if (!file.url) return null;
  const res = await fetch(file.url, { signal: AbortSignal.timeout(30_000) });
  return res.ok ? Buffer.from(await res.arrayBuffer()) : null;
}
