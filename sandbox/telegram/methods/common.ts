import type { Message, ReplyParameters } from '@grammyjs/types';
import type { MethodContext } from '../api';
import { badRequest } from '../errors';
import { parseReplyMarkup, type ParsedMarkup } from '../keyboard';
import { formatText, type FormattedText } from '../parse-mode';
import type { ChatRecord, StoredMessage } from '../state';

export function requireChat(ctx: MethodContext, name = 'chat_id'): ChatRecord {
  const chat = ctx.world.chatById(ctx.params.chatId(name));
  if (!chat) throw badRequest('chat not found');
  return chat;
}

export function findMessage(chat: ChatRecord, messageId: number): StoredMessage | undefined {
  const stored = chat.messages.get(messageId);
  return stored && !stored.deleted ? stored : undefined;
}

/** message_thread_id for a forum supergroup: the topic must exist and be writable. */
export function resolveThread(ctx: MethodContext, chat: ChatRecord): number | undefined {
  const threadId = ctx.params.int('message_thread_id');
  if (threadId === undefined || chat.kind !== 'group' || !chat.chat.is_forum) return undefined;
  const topic = chat.topics.get(threadId);
  if (!topic) throw badRequest('message thread not found');
  if (topic.closed && chat.botStatus !== 'administrator') throw badRequest('TOPIC_CLOSED');
  return threadId;
}

/** A message as it appears inside reply_to_message: without its own reply. */
export function asReply(message: Message): Message {
  const { reply_to_message: _nested, ...rest } = message;
  return structuredClone(rest) as Message;
}

/** reply_parameters (or the older reply_to_message_id) resolved to the replied message. */
export function resolveReply(ctx: MethodContext, chat: ChatRecord): Message | undefined {
  const params = ctx.params.json<ReplyParameters>('reply_parameters');
  const messageId = params?.message_id ?? ctx.params.int('reply_to_message_id');
  if (messageId === undefined) return undefined;
  const target = findMessage(chat, Number(messageId));
  if (target) return asReply(target.message);
  const tolerant = params?.allow_sending_without_reply ?? ctx.params.bool('allow_sending_without_reply');
  if (tolerant) return undefined;
  throw badRequest('message to be replied not found');
}

export function readMarkup(ctx: MethodContext): ParsedMarkup | undefined {
  return parseReplyMarkup(ctx.params.json('reply_markup'));
}

/** Reply keyboards live on the chat (they stay until removed); inline ones on the message. */
export function applyChatMarkup(chat: ChatRecord, markup: ParsedMarkup | undefined): void {
  if (markup?.kind === 'keyboard') chat.replyKeyboard = markup.markup;
  if (markup?.kind === 'remove') chat.replyKeyboard = undefined;
}

export function formatMessageText(
  ctx: MethodContext,
  textParam: string,
  entitiesParam: string,
): FormattedText {
  const raw = ctx.params.str(textParam) ?? '';
  return formatText(raw, ctx.params.str('parse_mode'), ctx.params.json(entitiesParam), ctx.world.findUser);
}

export function messageText(ctx: MethodContext): FormattedText {
  if (!ctx.params.str('text')) throw badRequest('message text is empty');
  const formatted = formatMessageText(ctx, 'text', 'entities');
  if (!formatted.text) throw badRequest('message text is empty');
  if (formatted.text.length > 4096) throw badRequest('message is too long');
  return formatted;
}

/** Caption (optional): undefined when absent or empty after parsing. */
export function messageCaption(ctx: MethodContext): FormattedText | undefined {
  if (!ctx.params.str('caption')) return undefined;
  const formatted = formatMessageText(ctx, 'caption', 'caption_entities');
  if (!formatted.text) return undefined;
  if (formatted.text.length > 1024) throw badRequest('message caption is too long');
  return formatted;
}

export const textFields = (f: FormattedText): Partial<Message> =>
  f.entities.length ? { text: f.text, entities: f.entities } : { text: f.text };

export const captionFields = (f: FormattedText | undefined): Partial<Message> =>
  !f ? {} : f.entities.length ? { caption: f.text, caption_entities: f.entities } : { caption: f.text };

/** Fields every sent message shares: thread, reply, inline keyboard. */
export function commonFields(
  chat: ChatRecord,
  threadId: number | undefined,
  reply: Message | undefined,
  markup: ParsedMarkup | undefined,
): Partial<Message> {
  // In a forum topic a message that replies to nothing "replies" to the topic's creation message.
  const topicStart = threadId !== undefined ? chat.messages.get(threadId)?.message : undefined;
  const replyTo = reply ?? (topicStart ? asReply(topicStart) : undefined);
  return {
    ...(replyTo ? { reply_to_message: replyTo as Message['reply_to_message'] } : {}),
    ...(markup?.kind === 'inline' ? { reply_markup: markup.markup } : {}),
  };
}

/** The thread a reply lands in when the bot names none: the replied message's thread. */
export function threadOf(
  chat: ChatRecord,
  explicit: number | undefined,
  reply: Message | undefined,
): number | undefined {
  if (explicit !== undefined) return explicit;
  if (chat.kind === 'group' && chat.chat.is_forum && reply?.is_topic_message) return reply.message_thread_id;
  return undefined;
}
