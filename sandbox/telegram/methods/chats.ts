import type { ChatFullInfo, ChatMember, ForumTopic, User } from '@grammyjs/types';
import type { MethodContext, MethodSpec } from '../api';
import { badRequest } from '../errors';
import type { ChatRecord, MemberStatus, TopicRecord } from '../state';
import { requireChat } from './common';

const ACCEPTED_GIFTS = {
  unlimited_gifts: false,
  limited_gifts: false,
  unique_gifts: false,
  premium_subscription: false,
  gifts_from_channels: false,
};

function getChat(ctx: MethodContext): ChatFullInfo {
  const chat = requireChat(ctx);
  const common = { accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: ACCEPTED_GIFTS };
  return { ...chat.chat, ...common } as ChatFullInfo;
}

export function memberObject(user: User, status: MemberStatus): ChatMember {
  switch (status) {
    case 'creator':
      return { status, user, is_anonymous: false };
    case 'administrator':
      return {
        status,
        user,
        can_be_edited: false,
        is_anonymous: false,
        can_manage_chat: true,
        can_delete_messages: true,
        can_manage_video_chats: true,
        can_restrict_members: true,
        can_promote_members: false,
        can_change_info: true,
        can_invite_users: true,
        can_post_stories: false,
        can_edit_stories: false,
        can_delete_stories: false,
        can_pin_messages: true,
        can_manage_topics: true,
        can_send_welcome_messages: false,
      };
    case 'kicked':
      return { status, user, until_date: 0 };
    case 'left':
      return { status, user };
    case 'restricted':
      return {
        status,
        user,
        is_member: true,
        can_send_messages: false,
        can_send_audios: false,
        can_send_documents: false,
        can_send_photos: false,
        can_send_videos: false,
        can_send_video_notes: false,
        can_send_voice_notes: false,
        can_send_polls: false,
        can_send_other_messages: false,
        can_add_web_page_previews: false,
        can_react_to_messages: false,
        can_change_info: false,
        can_invite_users: false,
        can_edit_tag: false,
        can_pin_messages: false,
        can_manage_topics: false,
        until_date: 0,
      };
    default:
      return { status: 'member', user };
  }
}

function getChatMember(ctx: MethodContext): ChatMember {
  const chat = requireChat(ctx);
  const userId = ctx.params.int('user_id');
  const user = userId === undefined ? undefined : ctx.world.findUser(userId);
  if (!user || userId === undefined) throw badRequest('user not found');
  if (userId === ctx.world.bot.id)
    return memberObject(user, chat.kind === 'private' ? 'member' : chat.botStatus);
  if (chat.kind === 'private') {
    if (userId !== chat.chat.id) throw badRequest('user not found');
    return memberObject(user, 'member');
  }
  return memberObject(user, chat.members.get(userId) ?? 'left');
}

function forum(ctx: MethodContext): ChatRecord {
  const chat = requireChat(ctx);
  if (chat.kind !== 'group' || !chat.chat.is_forum) throw badRequest('the chat is not a forum');
  ctx.ensureReachable(chat);
  if (chat.botStatus !== 'administrator') throw badRequest('not enough rights to manage topics');
  return chat;
}

function topic(ctx: MethodContext, chat: ChatRecord): TopicRecord {
  const found = chat.topics.get(ctx.params.requireInt('message_thread_id'));
  if (!found) throw badRequest('TOPIC_ID_INVALID');
  return found;
}

// The six colours the Bot API allows for topic icons.
const ICON_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f];

function createForumTopic(ctx: MethodContext): ForumTopic {
  const chat = forum(ctx);
  const name = (ctx.params.str('name') ?? '').trim();
  if (!name) throw badRequest('TOPIC_TITLE_EMPTY');
  if (name.length > 128) throw badRequest('TOPIC_TITLE_TOO_LONG');
  const iconColor = ctx.params.int('icon_color') ?? (ICON_COLORS[0] as number);
  if (!ICON_COLORS.includes(iconColor)) throw badRequest('TOPIC_ICON_COLOR_INVALID');
  const emoji = ctx.params.str('icon_custom_emoji_id');
  // Creating a topic sends its service message: it counts against the group's 20/min like
  // any message (tdlib maintainer, tdlib/td#2592), as do closing, reopening and editing.
  ctx.limit(chat);
  const threadId = chat.nextMessageId;
  const record: TopicRecord = { message_thread_id: threadId, name, icon_color: iconColor, closed: false };
  if (emoji) record.icon_custom_emoji_id = emoji;
  chat.topics.set(threadId, record);
  ctx.world.addMessage(
    chat,
    {
      forum_topic_created: { name, icon_color: iconColor, ...(emoji ? { icon_custom_emoji_id: emoji } : {}) },
    },
    { from: ctx.world.botUser, fromBot: true, service: true, threadId },
  );
  const { closed: _closed, ...result } = record;
  return result;
}

function setClosed(ctx: MethodContext, closed: boolean): true {
  const chat = forum(ctx);
  const t = topic(ctx, chat);
  if (t.closed === closed) throw badRequest('TOPIC_NOT_MODIFIED');
  ctx.limit(chat);
  t.closed = closed;
  ctx.world.addMessage(chat, closed ? { forum_topic_closed: {} } : { forum_topic_reopened: {} }, {
    from: ctx.world.botUser,
    fromBot: true,
    service: true,
    threadId: t.message_thread_id,
  });
  return true;
}

function editForumTopic(ctx: MethodContext): true {
  const chat = forum(ctx);
  const t = topic(ctx, chat);
  const name = ctx.params.str('name');
  const emoji = ctx.params.str('icon_custom_emoji_id');
  ctx.limit(chat);
  if (name !== undefined) t.name = name;
  if (emoji !== undefined) t.icon_custom_emoji_id = emoji;
  ctx.world.addMessage(
    chat,
    {
      forum_topic_edited: {
        ...(name !== undefined ? { name } : {}),
        ...(emoji !== undefined ? { icon_custom_emoji_id: emoji } : {}),
      },
    },
    { from: ctx.world.botUser, fromBot: true, service: true, threadId: t.message_thread_id },
  );
  return true;
}

export const chatMethods: MethodSpec[] = [
  { name: 'getMe', run: (ctx) => ctx.world.bot },
  { name: 'getChat', run: getChat },
  { name: 'getChatMember', run: getChatMember },
  { name: 'createForumTopic', run: createForumTopic },
  { name: 'closeForumTopic', run: (ctx) => setClosed(ctx, true) },
  { name: 'reopenForumTopic', run: (ctx) => setClosed(ctx, false) },
  { name: 'editForumTopic', run: editForumTopic },
];
