import {
  type ChannelFlags,
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  RESTJSONErrorCodes,
  ThreadAutoArchiveDuration,
  type APIThreadChannel,
} from 'discord-api-types/v10';
import { ApiError, forbidden, invalidForm, notFound } from './errors';
import { snowflake } from './ids';
import { createMessage, deleteMessage, editMessage } from './messages';
import { P } from './permissions';
import type { RouteContext, RouteDef } from './rest';
import type { SandboxState } from './state';
import type { ChannelRecord, MessageRecord } from './types';

// Channels as the bot sees them: DMs, guild text channels, threads and their messages.
// Permission checks use the bot's computed permissions, so a channel the bot cannot see
// answers 403 Missing Access exactly like Discord.

function visibleChannel({ state, params }: RouteContext): ChannelRecord {
  const rec = state.channel(params.channel!);
  if (!rec) throw notFound(RESTJSONErrorCodes.UnknownChannel);
  if (rec.channel.type !== ChannelType.DM && !state.can(state.bot.id, rec.channel.id, P.ViewChannel))
    throw forbidden();
  return rec;
}

function channelMessage(ctx: RouteContext, rec: ChannelRecord): MessageRecord {
  const m = ctx.state.messages.get(ctx.params.message!);
  if (!m || m.deleted || m.ephemeral || m.api.channel_id !== rec.channel.id)
    throw notFound(RESTJSONErrorCodes.UnknownMessage);
  return m;
}

function requireBot(state: SandboxState, channelId: string, flag: bigint): void {
  if (!state.can(state.bot.id, channelId, flag)) throw forbidden(RESTJSONErrorCodes.MissingPermissions);
}

function threadUpdate(state: SandboxState, rec: ChannelRecord): void {
  const event = state.isThread(rec.channel)
    ? GatewayDispatchEvents.ThreadUpdate
    : GatewayDispatchEvents.ChannelUpdate;
  state.dispatch(event, { ...rec.channel }, { intent: GatewayIntentBits.Guilds });
}

export function channelRoutes(): RouteDef[] {
  return [
    {
      method: 'POST',
      pattern: '/users/@me/channels',
      auth: true,
      bucket: 'dm-create',
      handler: ({ state, body }) => {
        const recipient =
          typeof body?.recipient_id === 'string' ? state.users.get(body.recipient_id) : undefined;
        if (!recipient) throw new ApiError(400, RESTJSONErrorCodes.InvalidRecipients);
        return { body: state.ensureDm(recipient.user.id).channel };
      },
    },
    {
      method: 'GET',
      pattern: '/channels/:channel',
      auth: true,
      bucket: 'channel-read',
      major: 'channel',
      handler: (ctx) => ({ body: visibleChannel(ctx).channel }),
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channel',
      auth: true,
      bucket: 'channel-edit',
      major: 'channel',
      handler: (ctx) => {
        const rec = visibleChannel(ctx);
        const { state, body } = ctx;
        const ch = rec.channel;
        if (ch.type === ChannelType.DM)
          throw new ApiError(400, RESTJSONErrorCodes.CannotExecuteActionOnDMChannel);
        if (!state.isThread(ch)) {
          requireBot(state, ch.id, P.ManageChannels);
          if (typeof body?.name === 'string') ch.name = body.name;
          if ('topic' in ch && body?.topic !== undefined) ch.topic = body.topic;
          threadUpdate(state, rec);
          return { body: ch };
        }
        const meta = (ch as APIThreadChannel).thread_metadata!;
        const unarchiving = body?.archived === false;
        const others = Object.keys(body ?? {}).filter((k) => k !== 'archived' && k !== 'locked');
        if (meta.archived && !unarchiving && others.length)
          throw new ApiError(400, RESTJSONErrorCodes.InvalidActionOnArchivedThread);
        if (
          (body?.locked !== undefined || (meta.locked && unarchiving)) &&
          !state.can(state.bot.id, ch.id, P.ManageThreads)
        ) {
          throw forbidden(RESTJSONErrorCodes.MissingPermissions);
        }
        if (typeof body?.name === 'string') {
          if (!body.name.length || body.name.length > 100)
            throw invalidForm([
              { path: 'name', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' },
            ]);
          ch.name = body.name;
        }
        if (typeof body?.archived === 'boolean' && body.archived !== meta.archived) {
          meta.archived = body.archived;
          meta.archive_timestamp = new Date().toISOString();
        }
        if (typeof body?.locked === 'boolean') meta.locked = body.locked;
        if (typeof body?.invitable === 'boolean' && ch.type === ChannelType.PrivateThread)
          meta.invitable = body.invitable;
        if (typeof body?.auto_archive_duration === 'number')
          meta.auto_archive_duration = body.auto_archive_duration;
        if (typeof body?.rate_limit_per_user === 'number') ch.rate_limit_per_user = body.rate_limit_per_user;
        threadUpdate(state, rec);
        return { body: ch };
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channel',
      auth: true,
      bucket: 'channel-edit',
      major: 'channel',
      handler: (ctx) => {
        const rec = visibleChannel(ctx);
        const { state } = ctx;
        const ch = rec.channel;
        if (ch.type === ChannelType.DM) return { body: ch };
        const thread = state.isThread(ch);
        requireBot(state, ch.id, thread ? P.ManageThreads : P.ManageChannels);
        rec.deleted = true;
        state.dispatch(
          thread ? GatewayDispatchEvents.ThreadDelete : GatewayDispatchEvents.ChannelDelete,
          thread ? { id: ch.id, guild_id: ch.guild_id, parent_id: ch.parent_id, type: ch.type } : ch,
          { intent: GatewayIntentBits.Guilds },
        );
        return { body: ch };
      },
    },
    {
      method: 'GET',
      pattern: '/channels/:channel/messages',
      auth: true,
      bucket: 'channel-messages-read',
      major: 'channel',
      handler: (ctx) => {
        const rec = visibleChannel(ctx);
        if (rec.channel.type !== ChannelType.DM) requireBot(ctx.state, rec.channel.id, P.ReadMessageHistory);
        const limit = Math.min(100, Math.max(1, Number(ctx.query.get('limit') ?? 50)));
        const before = ctx.query.get('before');
        const after = ctx.query.get('after');
        const around = ctx.query.get('around');
        let ids = [...rec.messageIds];
        const big = (s: string) => BigInt(s);
        if (before) ids = ids.filter((id) => big(id) < big(before)).slice(-limit);
        else if (after) ids = ids.filter((id) => big(id) > big(after)).slice(0, limit);
        else if (around) {
          const at = ids.findIndex((id) => big(id) >= big(around));
          const start = Math.max(0, (at < 0 ? ids.length : at) - Math.floor(limit / 2));
          ids = ids.slice(start, start + limit);
        } else ids = ids.slice(-limit);
        // Newest first, as Discord returns them.
        return { body: ids.reverse().map((id) => ctx.state.messages.get(id)!.api) };
      },
    },
    {
      method: 'GET',
      pattern: '/channels/:channel/messages/:message',
      auth: true,
      bucket: 'channel-messages-read',
      major: 'channel',
      handler: (ctx) => ({ body: channelMessage(ctx, visibleChannel(ctx)).api }),
    },
    {
      method: 'POST',
      pattern: '/channels/:channel/messages',
      auth: true,
      bucket: 'channel-messages-create',
      major: 'channel',
      handler: (ctx) => {
        const rec = visibleChannel(ctx);
        const { state } = ctx;
        const ch = rec.channel;
        if (ch.type === ChannelType.DM) {
          const to = state.dmRecipient(ch.id);
          // Discord says 50007 both for a block and for a user who shares no server with the bot.
          if (!to || to.blocked || !state.sharesGuild(to.user.id))
            throw forbidden(RESTJSONErrorCodes.CannotSendMessagesToThisUser);
        } else {
          requireBot(state, ch.id, state.isThread(ch) ? P.SendMessagesInThreads : P.SendMessages);
          if (ctx.files.length) requireBot(state, ch.id, P.AttachFiles);
        }
        const body = { ...(ctx.body ?? {}) };
        if (typeof body.flags === 'number') body.flags &= ~MessageFlags.Ephemeral;
        return {
          body: createMessage(state, { channelId: ch.id, author: state.bot, body, files: ctx.files }).api,
        };
      },
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channel/messages/:message',
      auth: true,
      bucket: 'channel-messages-edit',
      major: 'channel',
      handler: (ctx) => {
        const m = channelMessage(ctx, visibleChannel(ctx));
        if (m.api.author.id !== ctx.state.bot.id)
          throw forbidden(RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser);
        return { body: editMessage(ctx.state, m, ctx.body ?? {}, ctx.files).api };
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channel/messages/:message',
      auth: true,
      bucket: 'channel-messages-delete',
      major: 'channel',
      handler: (ctx) => {
        const rec = visibleChannel(ctx);
        const m = channelMessage(ctx, rec);
        if (m.api.author.id !== ctx.state.bot.id && rec.channel.type !== ChannelType.DM)
          requireBot(ctx.state, rec.channel.id, P.ManageMessages);
        if (m.api.author.id !== ctx.state.bot.id && rec.channel.type === ChannelType.DM)
          throw forbidden(RESTJSONErrorCodes.CannotExecuteActionOnDMChannel);
        deleteMessage(ctx.state, m);
      },
    },
    {
      method: 'POST',
      pattern: '/channels/:channel/typing',
      auth: true,
      bucket: 'channel-typing',
      major: 'channel',
      handler: (ctx) => void visibleChannel(ctx),
    },
    {
      method: 'POST',
      pattern: '/channels/:channel/threads',
      auth: true,
      bucket: 'threads-create',
      major: 'channel',
      handler: (ctx) => ({ body: startThread(ctx, undefined) }),
    },
    {
      method: 'POST',
      pattern: '/channels/:channel/messages/:message/threads',
      auth: true,
      bucket: 'threads-create',
      major: 'channel',
      handler: (ctx) => ({ body: startThread(ctx, channelMessage(ctx, visibleChannel(ctx))) }),
    },
    {
      method: 'GET',
      pattern: '/channels/:channel/thread-members',
      auth: true,
      bucket: 'thread-members',
      major: 'channel',
      handler: (ctx) => {
        const rec = threadRecord(ctx);
        return {
          body: [...rec.threadMembers!].map(([user_id, join_timestamp]) => ({
            id: rec.channel.id,
            user_id,
            join_timestamp,
            flags: 0,
          })),
        };
      },
    },
    {
      method: 'GET',
      pattern: '/channels/:channel/thread-members/:user',
      auth: true,
      bucket: 'thread-members',
      major: 'channel',
      handler: (ctx) => {
        const rec = threadRecord(ctx);
        const userId = ctx.params.user === '@me' ? ctx.state.bot.id : ctx.params.user!;
        const joined = rec.threadMembers!.get(userId);
        if (!joined) throw notFound(RESTJSONErrorCodes.UnknownMember);
        return { body: { id: rec.channel.id, user_id: userId, join_timestamp: joined, flags: 0 } };
      },
    },
    {
      method: 'PUT',
      pattern: '/channels/:channel/thread-members/:user',
      auth: true,
      bucket: 'thread-members',
      major: 'channel',
      handler: (ctx) => void setThreadMember(ctx, true),
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channel/thread-members/:user',
      auth: true,
      bucket: 'thread-members',
      major: 'channel',
      handler: (ctx) => void setThreadMember(ctx, false),
    },
  ];
}

function threadRecord(ctx: RouteContext): ChannelRecord {
  const rec = visibleChannel(ctx);
  if (!ctx.state.isThread(rec.channel))
    throw new ApiError(400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType);
  rec.threadMembers ??= new Map();
  return rec;
}

function setThreadMember(ctx: RouteContext, join: boolean): void {
  const { state } = ctx;
  const rec = threadRecord(ctx);
  const meta = (rec.channel as APIThreadChannel).thread_metadata;
  if (meta?.archived) throw new ApiError(400, RESTJSONErrorCodes.InvalidActionOnArchivedThread);
  const userId = ctx.params.user === '@me' ? state.bot.id : ctx.params.user!;
  // Only members of the thread's own guild can join it.
  const guildId = state.guildOf(rec.channel.id)!.id;
  if (!state.memberRoles(userId, guildId)) throw notFound(RESTJSONErrorCodes.UnknownMember);
  if (userId !== state.bot.id) {
    const inviting = join && rec.channel.type === ChannelType.PrivateThread && !meta?.invitable;
    if (!join || inviting) requireBot(state, rec.channel.id, P.ManageThreads);
  }
  const members = rec.threadMembers!;
  if (join === members.has(userId)) return;
  const now = new Date().toISOString();
  if (join) members.set(userId, now);
  else members.delete(userId);
  (rec.channel as APIThreadChannel).member_count = members.size;
  state.dispatch(
    GatewayDispatchEvents.ThreadMembersUpdate,
    {
      id: rec.channel.id,
      guild_id: guildId,
      member_count: Math.min(50, members.size),
      ...(join
        ? {
            added_members: [
              {
                id: rec.channel.id,
                user_id: userId,
                join_timestamp: now,
                flags: 0,
                member: state.member(userId, guildId),
              },
            ],
          }
        : { removed_member_ids: [userId] }),
    },
    // Discord only tells about other users' thread membership with GUILD_MEMBERS.
    { intent: userId === state.bot.id ? GatewayIntentBits.Guilds : GatewayIntentBits.GuildMembers },
  );
  state.changed();
}

function startThread(ctx: RouteContext, from: MessageRecord | undefined): APIThreadChannel {
  const { state, body } = ctx;
  const parent = visibleChannel(ctx);
  if (
    parent.channel.type !== ChannelType.GuildText &&
    parent.channel.type !== ChannelType.GuildAnnouncement
  ) {
    throw new ApiError(400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType);
  }
  const type: ChannelType.PublicThread | ChannelType.PrivateThread = from
    ? ChannelType.PublicThread
    : body?.type === ChannelType.PublicThread
      ? ChannelType.PublicThread
      : ChannelType.PrivateThread;
  requireBot(
    state,
    parent.channel.id,
    type === ChannelType.PrivateThread ? P.CreatePrivateThreads : P.CreatePublicThreads,
  );
  const name = typeof body?.name === 'string' ? body.name : '';
  if (!name.length || name.length > 100)
    throw invalidForm([
      { path: 'name', code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' },
    ]);
  const now = new Date().toISOString();
  const id = from ? from.api.id : snowflake();
  const thread: APIThreadChannel = {
    id,
    type,
    guild_id: state.guildOf(parent.channel.id)!.id,
    parent_id: parent.channel.id,
    owner_id: state.bot.id,
    name,
    last_message_id: null,
    rate_limit_per_user: typeof body?.rate_limit_per_user === 'number' ? body.rate_limit_per_user : 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    flags: 0 as ChannelFlags,
    thread_metadata: {
      archived: false,
      auto_archive_duration:
        (body?.auto_archive_duration as ThreadAutoArchiveDuration) ?? ThreadAutoArchiveDuration.OneDay,
      archive_timestamp: now,
      locked: false,
      create_timestamp: now,
      ...(type === ChannelType.PrivateThread ? { invitable: body?.invitable !== false } : {}),
    },
  } as APIThreadChannel;
  state.channels.set(id, {
    channel: thread,
    messageIds: [],
    threadMembers: new Map([[state.bot.id, now]]),
    createdByBot: true,
    deleted: false,
  });
  if (from) from.api.thread = thread;
  state.dispatch(
    GatewayDispatchEvents.ThreadCreate,
    { ...thread, newly_created: true },
    { intent: GatewayIntentBits.Guilds },
  );
  state.changed();
  return thread;
}
