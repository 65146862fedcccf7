import {
  type ApplicationFlags,
  ApplicationCommandType,
  RESTJSONErrorCodes,
  type APIApplication,
  type APIApplicationCommand,
  type RESTGetAPIGatewayBotResult,
} from 'discord-api-types/v10';
import { ApiError, forbidden, notFound } from './errors';
import type { GuildRecord } from './guild';
import { snowflake } from './ids';
import type { RouteContext, RouteDef } from './rest';
import type { SandboxState } from './state';
import { validateCommands, type CommandShape } from './validate';

// Gateway discovery, the bot's own user and application, application commands and
// read-only guild data.

export function appRoutes(gatewayUrl: () => string): RouteDef[] {
  const gatewayBot = (): RESTGetAPIGatewayBotResult => ({
    url: gatewayUrl(),
    shards: 1,
    session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
  });
  return [
    {
      method: 'GET',
      pattern: '/gateway/bot',
      auth: true,
      bucket: 'default',
      handler: () => ({ body: gatewayBot() }),
    },
    {
      method: 'GET',
      pattern: '/gateway',
      auth: false,
      bucket: 'default',
      handler: () => ({ body: { url: gatewayUrl() } }),
    },
    {
      method: 'GET',
      pattern: '/users/@me',
      auth: true,
      bucket: 'default',
      handler: ({ state }) => ({ body: state.bot }),
    },
    {
      method: 'GET',
      pattern: '/users/:user',
      auth: true,
      bucket: 'default',
      handler: ({ state, params }) => ({
        body: state.apiUser(params.user!) ?? fail(notFound(RESTJSONErrorCodes.UnknownUser)),
      }),
    },
    {
      method: 'GET',
      pattern: '/applications/@me',
      auth: true,
      bucket: 'default',
      handler: ({ state }) => ({ body: application(state) }),
    },
    {
      method: 'GET',
      pattern: '/oauth2/applications/@me',
      auth: true,
      bucket: 'default',
      handler: ({ state }) => ({ body: application(state) }),
    },

    ...commandRoutes('/applications/:app/commands'),
    ...commandRoutes('/applications/:app/guilds/:guild/commands'),

    {
      method: 'GET',
      pattern: '/guilds/:guild',
      auth: true,
      bucket: 'guild-read',
      major: 'guild',
      handler: (ctx) => ({ body: guildObject(ctx) }),
    },
    {
      method: 'GET',
      pattern: '/guilds/:guild/channels',
      auth: true,
      bucket: 'guild-read',
      major: 'guild',
      handler: (ctx) => ({ body: ctx.state.guildChannels(knownGuild(ctx).id).map((c) => c.channel) }),
    },
    {
      method: 'GET',
      pattern: '/guilds/:guild/roles',
      auth: true,
      bucket: 'guild-read',
      major: 'guild',
      handler: (ctx) => ({ body: [...knownGuild(ctx).roles.values()] }),
    },
    {
      method: 'GET',
      pattern: '/guilds/:guild/members/:user',
      auth: true,
      bucket: 'guild-read',
      major: 'guild',
      handler: (ctx) => {
        // Members are per guild: someone in another guild is Unknown Member here.
        const g = knownGuild(ctx);
        return {
          body: ctx.state.member(ctx.params.user!, g.id) ?? fail(notFound(RESTJSONErrorCodes.UnknownMember)),
        };
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guild/threads/active',
      auth: true,
      bucket: 'guild-read',
      major: 'guild',
      handler: (ctx) => {
        const threads = ctx.state
          .threads(knownGuild(ctx).id)
          .filter((t) => !('thread_metadata' in t.channel && t.channel.thread_metadata?.archived));
        const members = threads.flatMap((t) =>
          [...(t.threadMembers ?? [])]
            .filter(([u]) => u === ctx.state.bot.id)
            .map(([user_id, join_timestamp]) => ({ id: t.channel.id, user_id, join_timestamp, flags: 0 })),
        );
        return { body: { threads: threads.map((t) => t.channel), members } };
      },
    },
  ];
}

function fail(err: ApiError): never {
  throw err;
}

function application(state: SandboxState): APIApplication {
  return {
    id: state.applicationId,
    name: state.bot.username,
    icon: null,
    description: '',
    summary: '',
    bot_public: true,
    bot_require_code_grant: false,
    bot: state.bot,
    verify_key: '0'.repeat(64),
    team: null,
    flags: 0 as ApplicationFlags,
    flags_new: '0',
    owner: state.users.get(state.ownerId)?.user,
  };
}

/** The guild in the path; a guild the bot is not in is Discord's 404 Unknown Guild (10004). */
function knownGuild({ state, params }: RouteContext): GuildRecord {
  const g = state.guild(params.guild ?? '');
  if (!g) throw notFound(RESTJSONErrorCodes.UnknownGuild);
  return g;
}

function guildObject(ctx: RouteContext) {
  const {
    members: _m,
    channels: _c,
    threads: _t,
    presences: _p,
    voice_states: _v,
    ...guild
  } = ctx.state.guildCreate(knownGuild(ctx).id);
  return { ...guild, approximate_member_count: _m.length, approximate_presence_count: 0 };
}

function commandList(ctx: RouteContext): APIApplicationCommand[] {
  const { state, params } = ctx;
  if (params.app !== state.applicationId) throw forbidden();
  if (!params.guild) return state.globalCommands;
  knownGuild(ctx);
  let list = state.guildCommands.get(params.guild);
  if (!list) state.guildCommands.set(params.guild, (list = []));
  return list;
}

type CommandInput = Partial<APIApplicationCommand> & { name: string } & CommandShape;

function toCommand(
  ctx: RouteContext,
  input: CommandInput,
  previous: APIApplicationCommand | undefined,
): APIApplicationCommand {
  const type = input.type ?? ApplicationCommandType.ChatInput;
  return {
    id: previous?.id ?? snowflake(),
    application_id: ctx.state.applicationId,
    version: snowflake(),
    type,
    name: input.name,
    name_localizations: input.name_localizations ?? null,
    description: input.description ?? '',
    description_localizations: input.description_localizations ?? null,
    ...(input.options ? { options: input.options } : {}),
    default_member_permissions: input.default_member_permissions ?? null,
    nsfw: input.nsfw ?? false,
    ...(ctx.params.guild
      ? { guild_id: ctx.params.guild }
      : {
          contexts: input.contexts ?? null,
          integration_types: input.integration_types ?? [0],
          ...(input.dm_permission !== undefined ? { dm_permission: input.dm_permission } : {}),
        }),
  };
}

function commandRoutes(base: string): RouteDef[] {
  const major = base.includes(':guild') ? 'guild' : undefined;
  const common = { auth: true, bucket: 'commands' as const, ...(major ? { major } : {}) };
  const find = (ctx: RouteContext) => {
    const list = commandList(ctx);
    const i = list.findIndex((c) => c.id === ctx.params.command);
    if (i < 0) throw notFound(RESTJSONErrorCodes.UnknownApplicationCommand);
    return { list, i };
  };
  return [
    { ...common, method: 'GET', pattern: base, handler: (ctx) => ({ body: commandList(ctx) }) },
    {
      ...common,
      method: 'PUT',
      pattern: base,
      handler: (ctx) => {
        const list = commandList(ctx);
        const input = (Array.isArray(ctx.body) ? ctx.body : []) as CommandInput[];
        validateCommands(input);
        // Discord keeps a command's id when a bulk overwrite names it again.
        const next = input.map((c) =>
          toCommand(
            ctx,
            c,
            list.find((p) => p.name === c.name && p.type === (c.type ?? 1)),
          ),
        );
        list.splice(0, list.length, ...next);
        return { body: next };
      },
    },
    {
      ...common,
      method: 'POST',
      pattern: base,
      handler: (ctx) => {
        const list = commandList(ctx);
        const input = ctx.body as CommandInput;
        validateCommands([input]);
        const i = list.findIndex((p) => p.name === input.name && p.type === (input.type ?? 1));
        const cmd = toCommand(ctx, input, list[i]);
        if (i >= 0) list[i] = cmd;
        else list.push(cmd);
        return { status: i >= 0 ? 200 : 201, body: cmd };
      },
    },
    {
      ...common,
      method: 'GET',
      pattern: `${base}/:command`,
      handler: (ctx) => ({ body: find(ctx).list[find(ctx).i] }),
    },
    {
      ...common,
      method: 'PATCH',
      pattern: `${base}/:command`,
      handler: (ctx) => {
        const { list, i } = find(ctx);
        const merged = { ...list[i]!, ...(ctx.body as object) } as CommandInput;
        validateCommands([merged]);
        list[i] = toCommand(ctx, merged, list[i]);
        return { body: list[i] };
      },
    },
    {
      ...common,
      method: 'DELETE',
      pattern: `${base}/:command`,
      handler: (ctx) => {
        const { list, i } = find(ctx);
        list.splice(i, 1);
      },
    },
  ];
}
