// Thread routes of the emulated Discord REST API: starting threads (alone or from a message)
// and thread membership; a group of its own as threads carry their own rules (archive, invite).
import {
  type ChannelFlags,
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  RESTJSONErrorCodes,
  ThreadAutoArchiveDuration,
  type APIThreadChannel,
} from 'discord-api-types/v10';
import { channelMessage, requireBot, visibleChannel } from './channel-access';
import { ApiError, invalidForm, notFound } from './errors';
import { snowflake } from './ids';
import { P } from './permissions';
import type { RouteContext, RouteDef } from './rest';
import type { ChannelRecord, MessageRecord } from './types';

export function threadRoutes(): RouteDef[] {
  return [
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
