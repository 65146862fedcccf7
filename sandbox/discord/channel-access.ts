// Channel lookups every channel route shares: the channel as the bot may see it (403/404
// exactly like Discord), one of its messages, the bot's permission check, the update event.
import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  RESTJSONErrorCodes,
} from 'discord-api-types/v10';
import { forbidden, notFound } from './errors';
import { P } from './permissions';
import type { RouteContext } from './rest';
import type { SandboxState } from './state';
import type { ChannelRecord, MessageRecord } from './types';

export function visibleChannel({ state, params }: RouteContext): ChannelRecord {
  const rec = state.channel(params.channel!);
  if (!rec) throw notFound(RESTJSONErrorCodes.UnknownChannel);
  if (rec.channel.type !== ChannelType.DM && !state.can(state.bot.id, rec.channel.id, P.ViewChannel))
    throw forbidden();
  return rec;
}

export function channelMessage(ctx: RouteContext, rec: ChannelRecord): MessageRecord {
  const m = ctx.state.messages.get(ctx.params.message!);
  if (!m || m.deleted || m.ephemeral || m.api.channel_id !== rec.channel.id)
    throw notFound(RESTJSONErrorCodes.UnknownMessage);
  return m;
}

export function requireBot(state: SandboxState, channelId: string, flag: bigint): void {
  if (!state.can(state.bot.id, channelId, flag)) throw forbidden(RESTJSONErrorCodes.MissingPermissions);
}

export function threadUpdate(state: SandboxState, rec: ChannelRecord): void {
  const event = state.isThread(rec.channel)
    ? GatewayDispatchEvents.ThreadUpdate
    : GatewayDispatchEvents.ChannelUpdate;
  state.dispatch(event, { ...rec.channel }, { intent: GatewayIntentBits.Guilds });
}
