import type { Message, MessageId } from '@grammyjs/types';
import type { MethodContext, MethodSpec } from '../api';
import { badRequest } from '../errors';
import { unixNow, type ChatRecord, type StoredMessage } from '../state';
import {
  applyChatMarkup,
  captionFields,
  commonFields,
  findMessage,
  messageCaption,
  messageText,
  readMarkup,
  requireChat,
  resolveReply,
  resolveThread,
  textFields,
  threadOf,
} from './common';

const clone = <T>(v: T): T => structuredClone(v);

function sendMessage(ctx: MethodContext): Message {
  const chat = requireChat(ctx);
  const formatted = messageText(ctx);
  const markup = readMarkup(ctx);
  const reply = resolveReply(ctx, chat);
  const threadId = threadOf(chat, resolveThread(ctx, chat), reply);
  ctx.ensureReachable(chat);
  ctx.limit(chat);
  applyChatMarkup(chat, markup);
  const preview = ctx.params.json<Message['link_preview_options']>('link_preview_options');
  const stored = ctx.world.addMessage(
    chat,
    {
      ...commonFields(chat, threadId, reply, markup),
      ...textFields(formatted),
      ...(preview ? { link_preview_options: preview } : {}),
    },
    { from: ctx.world.botUser, fromBot: true, threadId },
  );
  return clone(stored.message);
}

function editable(ctx: MethodContext): { chat: ChatRecord; stored: StoredMessage } {
  if (ctx.params.has('inline_message_id')) throw badRequest('message to edit not found');
  const chat = requireChat(ctx);
  const messageId = ctx.params.int('message_id');
  if (messageId === undefined) throw badRequest('message identifier is not specified');
  const stored = findMessage(chat, messageId);
  if (!stored) throw badRequest('message to edit not found');
  if (!stored.fromBot || stored.service) throw badRequest("message can't be edited");
  return { chat, stored };
}

/** Applies an edit unless it changes nothing, which Telegram refuses. */
function applyEdit(
  ctx: MethodContext,
  chat: ChatRecord,
  stored: StoredMessage,
  next: Partial<Message>,
  keys: (keyof Message)[],
): Message {
  const m = stored.message as unknown as Record<string, unknown>;
  const before = JSON.stringify(keys.map((k) => m[k]));
  const after = JSON.stringify(keys.map((k) => (next as Record<string, unknown>)[k]));
  if (before === after) {
    throw badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
  }
  ctx.ensureReachable(chat);
  for (const k of keys) delete m[k];
  Object.assign(m, next, { edit_date: unixNow() });
  return clone(stored.message);
}

function inlineMarkup(ctx: MethodContext): Partial<Message> {
  const markup = readMarkup(ctx);
  if (markup && markup.kind !== 'inline') throw badRequest('inline keyboard expected');
  return markup ? { reply_markup: markup.markup } : {};
}

function editMessageText(ctx: MethodContext): Message {
  const { chat, stored } = editable(ctx);
  if (stored.message.text === undefined) throw badRequest('there is no text in the message to edit');
  const next = { ...textFields(messageText(ctx)), ...inlineMarkup(ctx) };
  const keys: (keyof Message)[] = ['text', 'entities', 'reply_markup'];
  if (JSON.stringify(keys.map((k) => stored.message[k])) !== JSON.stringify(keys.map((k) => next[k])))
    ctx.limit(chat);
  return applyEdit(ctx, chat, stored, next, keys);
}

function editMessageCaption(ctx: MethodContext): Message {
  const { chat, stored } = editable(ctx);
  if (!stored.message.document && !stored.message.photo)
    throw badRequest('there is no caption in the message to edit');
  const next = { ...captionFields(messageCaption(ctx)), ...inlineMarkup(ctx) };
  return applyEdit(ctx, chat, stored, next, ['caption', 'caption_entities', 'reply_markup']);
}

function editMessageReplyMarkup(ctx: MethodContext): Message {
  const { chat, stored } = editable(ctx);
  return applyEdit(ctx, chat, stored, inlineMarkup(ctx), ['reply_markup']);
}

function deleteMessage(ctx: MethodContext): true {
  const chat = requireChat(ctx);
  const stored = findMessage(chat, ctx.params.requireInt('message_id'));
  if (!stored) throw badRequest('message to delete not found');
  stored.deleted = true;
  return true;
}

/** The content fields a copy or forward carries over. */
function content(m: Message): Partial<Message> {
  const { text, entities, caption, caption_entities, document, photo } = clone(m);
  return Object.fromEntries(
    Object.entries({ text, entities, caption, caption_entities, document, photo }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as Partial<Message>;
}

function source(ctx: MethodContext, what: 'copy' | 'forward'): StoredMessage {
  const from = requireChat(ctx, 'from_chat_id');
  const stored = findMessage(from, ctx.params.requireInt('message_id'));
  if (!stored) throw badRequest(`message to ${what} not found`);
  if (stored.service) throw badRequest(`message can't be ${what === 'copy' ? 'copied' : 'forwarded'}`);
  return stored;
}

function copyMessage(ctx: MethodContext): MessageId {
  const original = source(ctx, 'copy');
  const chat = requireChat(ctx);
  const markup = readMarkup(ctx);
  const reply = resolveReply(ctx, chat);
  const threadId = threadOf(chat, resolveThread(ctx, chat), reply);
  const body = content(original.message);
  if (ctx.params.has('caption') && body.text === undefined) {
    delete body.caption;
    delete body.caption_entities;
    Object.assign(body, captionFields(messageCaption(ctx)));
  }
  ctx.ensureReachable(chat);
  ctx.limit(chat);
  applyChatMarkup(chat, markup);
  const stored = ctx.world.addMessage(
    chat,
    { ...commonFields(chat, threadId, reply, markup), ...body },
    {
      from: ctx.world.botUser,
      fromBot: true,
      threadId,
    },
  );
  return { message_id: stored.message.message_id };
}

function forwardMessage(ctx: MethodContext): Message {
  const original = source(ctx, 'forward');
  const chat = requireChat(ctx);
  const threadId = resolveThread(ctx, chat);
  ctx.ensureReachable(chat);
  ctx.limit(chat);
  const sender = original.message.from ?? ctx.world.botUser;
  const stored = ctx.world.addMessage(
    chat,
    {
      forward_origin: { type: 'user', sender_user: sender, date: original.message.date },
      ...commonFields(chat, threadId, undefined, undefined),
      ...content(original.message),
    },
    { from: ctx.world.botUser, fromBot: true, threadId },
  );
  return clone(stored.message);
}

function sendChatAction(ctx: MethodContext): true {
  const chat = requireChat(ctx);
  if (!ctx.params.str('action')) throw badRequest('action is empty');
  ctx.ensureReachable(chat);
  return true;
}

export const messageMethods: MethodSpec[] = [
  { name: 'sendMessage', run: sendMessage },
  { name: 'editMessageText', run: editMessageText },
  { name: 'editMessageCaption', run: editMessageCaption },
  { name: 'editMessageReplyMarkup', run: editMessageReplyMarkup },
  { name: 'deleteMessage', run: deleteMessage },
  { name: 'copyMessage', run: copyMessage },
  { name: 'forwardMessage', run: forwardMessage },
  { name: 'sendChatAction', run: sendChatAction },
];
