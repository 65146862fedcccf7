// Slash command options as a test passes them, checked against the registered command and
// turned into the interaction's `data` (with resolved users, roles, channels) like Discord does.
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
} from 'discord-api-types/v10';
import type { OptionValue, SlashOptions } from './interactions';
import type { SandboxState } from './state';

/**
 * The `data` of a chat-input command, checked against the registered definition; user and
 * role options resolve in `guildId` (members and roles are per guild), none in DMs.
 */
export function slashData(
  state: SandboxState,
  cmd: APIApplicationCommand,
  opts: SlashOptions,
  guildId: string | undefined,
): unknown {
  const resolved = {
    users: {} as Record<string, unknown>,
    members: {} as Record<string, unknown>,
    roles: {} as Record<string, unknown>,
    channels: {} as Record<string, unknown>,
  };
  let defs = cmd.options ?? [];
  const path: { name: string; type: ApplicationCommandOptionType }[] = [];
  if (opts.group) {
    const g = defs.find(
      (o) => o.type === ApplicationCommandOptionType.SubcommandGroup && o.name === opts.group,
    );
    if (!g) throw new Error(`/${cmd.name} has no subcommand group "${opts.group}"`);
    path.push({ name: g.name, type: g.type });
    defs = (g as { options?: APIApplicationCommandOption[] }).options ?? [];
  }
  const hasSubs = defs.some((o) => o.type === ApplicationCommandOptionType.Subcommand);
  if (opts.subcommand || hasSubs) {
    const names = defs.filter((o) => o.type === ApplicationCommandOptionType.Subcommand).map((o) => o.name);
    const s = defs.find(
      (o) => o.type === ApplicationCommandOptionType.Subcommand && o.name === opts.subcommand,
    );
    if (!s)
      throw new Error(
        `/${cmd.name} needs a subcommand (one of: ${names.join(', ') || 'none'}), got "${opts.subcommand ?? ''}"`,
      );
    path.push({ name: s.name, type: s.type });
    defs = (s as { options?: APIApplicationCommandOption[] }).options ?? [];
  }
  const given = opts.options ?? {};
  const leaf = Object.entries(given).map(([name, value]) => {
    const def = defs.find((d) => d.name === name);
    if (!def)
      throw new Error(
        `/${cmd.name} ${path.map((p) => p.name).join(' ')} has no option "${name}" (options: ${defs.map((d) => d.name).join(', ')})`,
      );
    checkOption(state, guildId, def, value, resolved);
    return { name, type: def.type, value };
  });
  for (const d of defs) {
    if ('required' in d && d.required && !(d.name in given))
      throw new Error(`/${cmd.name}: required option "${d.name}" missing`);
  }
  let options: unknown[] = leaf;
  for (const p of [...path].reverse()) options = [{ name: p.name, type: p.type, options }];
  const hasResolved = Object.values(resolved).some((r) => Object.keys(r).length);
  return {
    id: cmd.id,
    name: cmd.name,
    type: ApplicationCommandType.ChatInput,
    ...(options.length ? { options } : {}),
    ...(hasResolved
      ? { resolved: Object.fromEntries(Object.entries(resolved).filter(([, v]) => Object.keys(v).length)) }
      : {}),
    ...(cmd.guild_id ? { guild_id: cmd.guild_id } : {}),
  };
}

function checkOption(
  state: SandboxState,
  guildId: string | undefined,
  def: APIApplicationCommandOption,
  value: OptionValue,
  resolved: Record<'users' | 'members' | 'roles' | 'channels', Record<string, unknown>>,
): void {
  const T = ApplicationCommandOptionType;
  const fail = (why: string) => {
    throw new Error(`option "${def.name}": ${why}`);
  };
  switch (def.type) {
    case T.String:
      if (typeof value !== 'string') fail('expects a string');
      break;
    case T.Integer:
      if (!Number.isInteger(value)) fail('expects an integer');
      break;
    case T.Number:
      if (typeof value !== 'number') fail('expects a number');
      break;
    case T.Boolean:
      if (typeof value !== 'boolean') fail('expects a boolean');
      break;
    case T.User:
    case T.Mentionable: {
      const id = String(value);
      const user = state.apiUser(id);
      if (user) {
        resolved.users[id] = user;
        const m = guildId ? state.member(id, guildId) : undefined;
        if (m) {
          const { user: _u, ...rest } = m;
          resolved.members[id] = { ...rest, permissions: '0' };
        }
      } else if (def.type === T.Mentionable && guildId && state.role(id, guildId))
        resolved.roles[id] = state.role(id, guildId);
      else fail(`unknown user ${id}`);
      break;
    }
    case T.Role: {
      const role = guildId ? state.role(String(value), guildId) : undefined;
      if (!role) fail(`unknown role ${value}${guildId ? ` in guild ${guildId}` : ''}`);
      resolved.roles[String(value)] = role;
      break;
    }
    case T.Channel: {
      const ch = state.channel(String(value))?.channel;
      if (!ch) fail(`unknown channel ${value}`);
      const c = ch as {
        id: string;
        name?: string | null;
        type: number;
        parent_id?: string | null;
        thread_metadata?: unknown;
      };
      resolved.channels[c.id] = {
        id: c.id,
        name: c.name,
        type: c.type,
        permissions: state.permissions(state.bot.id, c.id).toString(),
        ...(c.parent_id ? { parent_id: c.parent_id } : {}),
        ...(c.thread_metadata ? { thread_metadata: c.thread_metadata } : {}),
      };
      break;
    }
    default:
      fail(`option type ${def.type} is not supported by the sandbox`);
  }
  if ('choices' in def && def.choices?.length && !def.choices.some((c) => c.value === value)) {
    fail(
      `value ${JSON.stringify(value)} is not one of the choices ${def.choices.map((c) => JSON.stringify(c.value)).join(', ')}`,
    );
  }
}
