import {
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
  RESTJSONErrorCodes,
  type APIMessageInteractionMetadata,
  type RESTPostAPIInteractionCallbackWithResponseResult,
} from 'discord-api-types/v10';
import { ApiError, invalidForm, notFound } from './errors';
import { createMessage, deleteMessage, editMessage, type CreateMessageInput } from './messages';
import type { RouteContext, RouteDef } from './rest';
import type { SandboxState } from './state';
import type { InteractionRecord, MessageRecord } from './types';
import { validateModal } from './validate';

// Interaction callbacks and the interaction webhook (edit reply, follow-ups). Neither
// needs the bot token and neither counts against the global rate limit.

const TOKEN_LIFETIME_MS = 15 * 60_000;

function metadata(
  state: SandboxState,
  inter: InteractionRecord,
  extra: Record<string, string> = {},
): APIMessageInteractionMetadata {
  const owners = inter.guildId ? { '0': inter.guildId } : { '0': '0' };
  return {
    id: inter.id,
    type: inter.type,
    user: state.apiUser(inter.userId)!,
    authorizing_integration_owners: owners,
    ...(inter.sourceMessageId && inter.type === InteractionType.MessageComponent
      ? { interacted_message_id: inter.sourceMessageId }
      : {}),
    ...extra,
  } as APIMessageInteractionMetadata;
}

function replyInput(
  state: SandboxState,
  inter: InteractionRecord,
  ctx: RouteContext,
  data: any,
  extra: Partial<CreateMessageInput> = {},
): CreateMessageInput {
  const flags = typeof data?.flags === 'number' ? data.flags : 0;
  return {
    channelId: inter.channelId,
    author: state.bot,
    body: data ?? {},
    files: ctx.files,
    ephemeral: (flags & MessageFlags.Ephemeral) !== 0,
    visibleTo: inter.userId,
    type:
      inter.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
    interactionId: inter.id,
    interactionMetadata: metadata(state, inter),
    webhookId: state.applicationId,
    ...extra,
  };
}

function sourceMessage(state: SandboxState, inter: InteractionRecord): MessageRecord {
  const m = inter.sourceMessageId ? state.messages.get(inter.sourceMessageId) : undefined;
  if (!m)
    throw invalidForm([
      {
        path: 'type',
        code: 'INTERACTION_RESPONSE_TYPE_INVALID',
        message: 'This response type needs an interaction on a message component',
      },
    ]);
  return m;
}

function callback(ctx: RouteContext) {
  const { state, params, body } = ctx;
  const inter = state.interactions.get(params.interaction!);
  if (!inter || inter.token !== params.token) throw notFound(RESTJSONErrorCodes.UnknownInteraction);
  if (inter.callbackType !== undefined)
    throw new ApiError(400, RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged);
  if (Date.now() - inter.createdAt > state.interactionAckMs)
    throw notFound(RESTJSONErrorCodes.UnknownInteraction);
  const type = body?.type as InteractionResponseType;
  const data = body?.data;
  let message: MessageRecord | undefined;
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource:
      message = createMessage(state, replyInput(state, inter, ctx, data));
      inter.originalMessageId = message.api.id;
      break;
    case InteractionResponseType.DeferredChannelMessageWithSource:
      message = createMessage(
        state,
        replyInput(
          state,
          inter,
          ctx,
          { flags: data?.flags ?? 0 },
          { allowEmpty: true, extraFlags: MessageFlags.Loading },
        ),
      );
      inter.originalMessageId = message.api.id;
      inter.loading = true;
      break;
    case InteractionResponseType.DeferredMessageUpdate:
      inter.originalMessageId = sourceMessage(state, inter).api.id;
      break;
    case InteractionResponseType.UpdateMessage:
      message = editMessage(state, sourceMessage(state, inter), data ?? {}, ctx.files);
      inter.originalMessageId = message.api.id;
      break;
    case InteractionResponseType.Modal:
      if (inter.type === InteractionType.ModalSubmit) {
        throw invalidForm([
          {
            path: 'type',
            code: 'INTERACTION_RESPONSE_TYPE_INVALID',
            message: 'A modal cannot answer a modal submit',
          },
        ]);
      }
      validateModal(data ?? {});
      state.modals.push({ ...data, interactionId: inter.id, userId: inter.userId, submitted: false });
      break;
    case InteractionResponseType.ApplicationCommandAutocompleteResult:
      if (inter.type !== InteractionType.ApplicationCommandAutocomplete) {
        throw invalidForm([
          {
            path: 'type',
            code: 'INTERACTION_RESPONSE_TYPE_INVALID',
            message: 'Autocomplete results answer autocomplete interactions only',
          },
        ]);
      }
      break;
    default:
      throw invalidForm([
        {
          path: 'type',
          code: 'INTERACTION_RESPONSE_TYPE_INVALID',
          message: `Unsupported interaction response type ${String(type)}`,
        },
      ]);
  }
  inter.callbackType = type;
  inter.responses.push({
    kind: 'callback',
    type,
    at: Date.now(),
    ...(message ? { message: state.view(message) } : {}),
    ...(type === InteractionResponseType.Modal ? { modal: data } : {}),
  });
  state.changed();
  if (ctx.query.get('with_response') !== 'true') return undefined;
  const original = inter.originalMessageId ? state.messages.get(inter.originalMessageId) : undefined;
  const result: RESTPostAPIInteractionCallbackWithResponseResult = {
    interaction: {
      id: inter.id,
      type: inter.type,
      ...(original && type !== InteractionResponseType.DeferredMessageUpdate
        ? {
            response_message_id: original.api.id,
            response_message_loading: inter.loading,
            response_message_ephemeral: original.ephemeral,
          }
        : {}),
    },
    resource: {
      type,
      ...(message &&
      (type === InteractionResponseType.ChannelMessageWithSource ||
        type === InteractionResponseType.UpdateMessage)
        ? { message: message.api }
        : {}),
    },
  };
  return { status: 200, body: result };
}

function webhookInteraction({ state, params }: RouteContext): InteractionRecord {
  const inter = [...state.interactions.values()].find((i) => i.token === params.token);
  if (!inter || params.app !== state.applicationId) throw notFound(RESTJSONErrorCodes.UnknownWebhook);
  if (Date.now() - inter.createdAt > TOKEN_LIFETIME_MS)
    throw new ApiError(401, RESTJSONErrorCodes.InvalidWebhookToken);
  return inter;
}

function webhookMessage(ctx: RouteContext, inter: InteractionRecord): MessageRecord {
  const id = ctx.params.message === '@original' ? inter.originalMessageId : ctx.params.message;
  const m = id ? ctx.state.messages.get(id) : undefined;
  const ours = m && (m.interactionId === inter.id || m.api.id === inter.originalMessageId);
  if (!m || m.deleted || !ours) throw notFound(RESTJSONErrorCodes.UnknownMessage);
  return m;
}

export function interactionRoutes(): RouteDef[] {
  const hook = { auth: false, bucket: 'webhook' as const, major: 'token', global: false };
  return [
    {
      method: 'POST',
      pattern: '/interactions/:interaction/:token/callback',
      auth: false,
      bucket: 'interaction-callback',
      major: 'interaction',
      global: false,
      handler: (ctx) => {
        const r = callback(ctx);
        return r ?? undefined;
      },
    },
    {
      ...hook,
      method: 'GET',
      pattern: '/webhooks/:app/:token/messages/:message',
      handler: (ctx) => ({ body: webhookMessage(ctx, webhookInteraction(ctx)).api }),
    },
    {
      ...hook,
      method: 'PATCH',
      pattern: '/webhooks/:app/:token/messages/:message',
      handler: (ctx) => {
        const inter = webhookInteraction(ctx);
        const m = webhookMessage(ctx, inter);
        const original = m.api.id === inter.originalMessageId;
        editMessage(ctx.state, m, ctx.body ?? {}, ctx.files);
        if (original) inter.loading = false;
        inter.responses.push({ kind: 'edit', at: Date.now(), message: ctx.state.view(m), original });
        return { body: m.api };
      },
    },
    {
      ...hook,
      method: 'DELETE',
      pattern: '/webhooks/:app/:token/messages/:message',
      handler: (ctx) => {
        const inter = webhookInteraction(ctx);
        const m = webhookMessage(ctx, inter);
        deleteMessage(ctx.state, m);
        inter.responses.push({ kind: 'delete', at: Date.now(), messageId: m.api.id });
      },
    },
    {
      ...hook,
      method: 'POST',
      pattern: '/webhooks/:app/:token',
      handler: (ctx) => {
        const { state } = ctx;
        const inter = webhookInteraction(ctx);
        if (inter.callbackType === undefined) throw notFound(RESTJSONErrorCodes.UnknownWebhook);
        let m: MessageRecord;
        if (inter.loading && inter.originalMessageId) {
          // The first follow-up after a deferred reply replaces the "thinking" message.
          m = editMessage(
            state,
            state.messages.get(inter.originalMessageId)!,
            { ...(ctx.body ?? {}), flags: undefined },
            ctx.files,
          );
          inter.loading = false;
        } else {
          const extra: Record<string, string> = inter.originalMessageId
            ? { original_response_message_id: inter.originalMessageId }
            : {};
          m = createMessage(
            state,
            replyInput(state, inter, ctx, ctx.body, { interactionMetadata: metadata(state, inter, extra) }),
          );
        }
        inter.responses.push({ kind: 'followup', at: Date.now(), message: state.view(m) });
        return { body: m.api };
      },
    },
  ];
}
