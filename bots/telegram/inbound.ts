// How a Telegram update becomes the router's Inbound: who, where (private chat, group, topic),
// which message, its file, and whether it is a command or a mention. Pure translation.
import type { User } from '@grammyjs/types';
import type { Context } from 'grammy';
import type { Contact } from '../../accounts/identity';
import type { InboundFile, Origin } from '../../core/feature';
import type { Inbound } from '../shared/router';

export function contactOf(from: User, chatId?: number, chatType?: string): Contact {
  return {
    platform: 'TELEGRAM',
    platformUserId: String(from.id),
    username: from.username ?? from.first_name,
    languageCode: from.language_code ?? null,
    dmChatId: chatType === 'private' && chatId !== undefined ? String(chatId) : null,
  };
}

const displayName = (from: User) =>
  [from.first_name, from.last_name].filter(Boolean).join(' ') || from.username || '';

/** `/cmd@bot args` → { command, raw } (null when not a command, or addressed to another bot). */
export function parseCommand(text: string, botUsername: string): { command: string; raw: string } | null {
  const m = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  if (m[2] && m[2].toLowerCase() !== botUsername.toLowerCase()) return null;
  return { command: m[1]!.toLowerCase(), raw: m[3] ?? '' };
}

export function originOf(ctx: Context, staffChatId?: string): Origin {
  const chat = ctx.chat!;
  const chatId = String(chat.id);
  if (chat.type === 'private') return { kind: 'dm', platform: 'TELEGRAM', chatId };
  const staff = chatId === staffChatId;
  const msg = ctx.message ?? ctx.editedMessage ?? ctx.callbackQuery?.message;
  const thread = msg && 'is_topic_message' in msg && msg.is_topic_message ? msg.message_thread_id : undefined;
  return thread
    ? { kind: 'thread', platform: 'TELEGRAM', chatId, threadId: String(thread), staff }
    : { kind: 'group', platform: 'TELEGRAM', chatId, staff };
}

export function inbound(ctx: Context, staffChatId?: string, rawLength?: number): Inbound {
  const from = ctx.from!;
  const origin = originOf(ctx, staffChatId);
  const msg = ctx.message ?? ctx.editedMessage ?? ctx.callbackQuery?.message;
  return {
    contact: contactOf(from, ctx.chat?.id, ctx.chat?.type),
    displayName: displayName(from),
    origin,
    here: {
      kind: 'interaction',
      platform: 'TELEGRAM',
      interactionId: String(ctx.update.update_id),
      visibility: 'ephemeral',
    },
    ...(msg
      ? {
          message: {
            platform: 'TELEGRAM' as const,
            chatId: String(msg.chat.id),
            ...(origin.kind === 'thread' ? { threadId: origin.threadId } : {}),
            messageId: String(msg.message_id),
          },
        }
      : {}),
    ...(rawLength !== undefined ? { rawLength } : {}),
  };
}

/** The file of a photo (its largest size) or document message, by Telegram file id. */
export function telegramFile(m: NonNullable<Context['message']>): InboundFile {
  if (m.document)
    return {
      name: (m.document.file_name ?? 'document').slice(0, 200),
      ref: m.document.file_id,
      ...(m.document.mime_type ? { contentType: m.document.mime_type } : {}),
      ...(m.document.file_size !== undefined ? { size: m.document.file_size } : {}),
    };
  const best = [...(m.photo ?? [])].sort((a, b) => b.width * b.height - a.width * a.height)[0]!;
  return {
    name: 'photo.jpg',
    contentType: 'image/jpeg',
    ref: best.file_id,
    ...(best.file_size !== undefined ? { size: best.file_size } : {}),
  };
}

/** The question in a group message that mentions the bot (`@bot …`), or null. */
export function mentionOf(text: string, botUsername: string): string | null {
  const re = new RegExp(`(^|\\s)@${botUsername.replace(/[^A-Za-z0-9_]/g, '')}\\b`, 'i');
  if (!re.test(text)) return null;
  return text.replace(re, ' ').trim();
}
