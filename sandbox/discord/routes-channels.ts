// Channels as the bot sees them: DMs, guild text channels, threads and their messages.
// Permission checks use the bot's computed permissions, so a channel the bot cannot see
// answers 403 Missing Access exactly like Discord. Thread routes: routes-threads.ts.
import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  RESTJSONErrorCodes,
  type APIThreadChannel,
} from 'discord-api-types/v10';
import { channelMessage, requireBot, threadUpdate, visibleChannel } from './channel-access';
import { ApiError, forbidden, invalidForm } from './errors';
import { createMessage, deleteMessage, editMessage } from './messages';
import { P } from './permissions';
import type { RouteDef } from './rest';
import { threadRoutes } from './routes-threads';

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
    ...threadRoutes(),
  ];
}
