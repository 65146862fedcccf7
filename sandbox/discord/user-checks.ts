// What a sandbox user may reach, checked as Discord checks it (slash channel and command,
// permissions, components, select values, thread invites): apart from user.ts's actions.
import {
  ChannelType,
  ComponentType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  type APIApplicationCommand,
} from 'discord-api-types/v10';
import { allComponents, findComponent } from './components';
import type { SlashOptions } from './interactions';
import { P } from './permissions';
import type { SandboxState } from './state';
import type { MessageRef } from './user';

export function slashChannel(state: SandboxState, opts: SlashOptions): string {
  if (opts.guildId !== undefined && !state.guild(opts.guildId))
    throw new Error(`unknown guild ${opts.guildId}`);
  if (!opts.channelId) return state.guild(opts.guildId ?? state.guildId)!.generalChannelId;
  const ch = state.channel(opts.channelId)?.channel;
  if (!ch) throw new Error(`unknown channel ${opts.channelId}`);
  if (ch.type === ChannelType.DM) throw new Error(`channel ${opts.channelId} is a DM (use inDm)`);
  const inGuild = state.guildOf(opts.channelId)?.id;
  if (opts.guildId !== undefined && inGuild !== opts.guildId)
    throw new Error(`channel ${opts.channelId} is not in guild ${opts.guildId} (it is in ${inGuild})`);
  return opts.channelId;
}

/** A guild sees its own commands and the global ones; a DM only the global ones. */
export function findCommand(
  state: SandboxState,
  name: string,
  guildId: string | undefined,
): APIApplicationCommand {
  const guild = guildId ? (state.guildCommands.get(guildId) ?? []) : [];
  const cmd = [...guild, ...state.globalCommands].find((c) => c.name === name && c.type === 1);
  if (!cmd) {
    const known = [...guild, ...state.globalCommands].map((c) => c.name);
    const where = guildId ? ` in guild ${guildId}` : ' globally (DMs only see global commands)';
    throw new Error(`/${name} is not registered${where} (registered: ${known.join(', ') || 'none'})`);
  }
  return cmd;
}

export function mustBeAbleTo(
  state: SandboxState,
  userId: string,
  channelId: string,
  flags: bigint,
  what: string,
): void {
  if ((state.permissions(userId, channelId) & flags) !== flags)
    throw new Error(`user ${userId} may not ${what} (missing permissions)`);
}

/** The component a user presses or picks in, after checking they can see its message. */
export function messageComponent(state: SandboxState, userId: string, message: MessageRef, customId: string) {
  const id = typeof message === 'string' ? message : message.id;
  const msg = state.messages.get(id);
  if (!msg || msg.deleted) throw new Error(`message ${id} does not exist (or was deleted)`);
  if (msg.ephemeral && msg.visibleTo !== userId)
    throw new Error(`message ${id} is ephemeral for another user`);
  if (!msg.ephemeral) {
    const ch = state.channel(msg.api.channel_id)?.channel;
    const visible =
      ch?.type === ChannelType.DM
        ? ch.id === state.users.get(userId)!.dmChannelId
        : state.can(userId, msg.api.channel_id, P.ViewChannel);
    if (!visible) throw new Error(`user ${userId} cannot see channel ${msg.api.channel_id}`);
  }
  const component = findComponent(msg.api.components, customId);
  if (!component) {
    const ids = allComponents(msg.api.components).flatMap((c) => (c.custom_id ? [c.custom_id] : []));
    throw new Error(`message ${id} has no component "${customId}" (has: ${ids.join(', ') || 'none'})`);
  }
  if (component.disabled) throw new Error(`component "${customId}" is disabled`);
  return { msg, component };
}

/** The `resolved` users, members, roles or channels of a select's values (none for a string select). */
export function selectResolved(
  state: SandboxState,
  type: number,
  values: string[],
  channelId: string,
): Record<string, unknown> {
  const guildId = state.guildOf(channelId)?.id;
  if (type === ComponentType.StringSelect) return {};
  const users: Record<string, unknown> = {};
  const members: Record<string, unknown> = {};
  const roles: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  for (const v of values) {
    const u = state.apiUser(v);
    if (u) {
      users[v] = u;
      const m = guildId ? state.member(v, guildId) : undefined;
      if (m) members[v] = { ...m, user: undefined, permissions: '0' };
    } else if (guildId && state.role(v, guildId)) roles[v] = state.role(v, guildId);
    else {
      const ch = state.channel(v)?.channel as { id: string; name?: string | null; type: number } | undefined;
      if (!ch) throw new Error(`select value ${v} is no known user, role or channel`);
      channels[v] = { id: ch.id, name: ch.name, type: ch.type, permissions: '0' };
    }
  }
  return { resolved: { users, members, roles, channels } };
}

/**
 * Adds another member of the thread's guild to a thread, as a user does from the member
 * list: needs Manage Threads unless the private thread is invitable and this user is in it.
 */
export function addToThread(state: SandboxState, actorId: string, threadId: string, userId: string): void {
  const rec = state.channel(threadId);
  if (!rec || !state.isThread(rec.channel)) throw new Error(`${threadId} is not a thread`);
  const guildId = state.guildOf(threadId)!.id;
  const invitable =
    rec.channel.type !== ChannelType.PrivateThread ||
    (!!rec.channel.thread_metadata?.invitable && !!rec.threadMembers?.has(actorId));
  if (!invitable)
    mustBeAbleTo(state, actorId, threadId, P.ManageThreads, `add members to thread ${threadId}`);
  if (!state.memberRoles(userId, guildId))
    throw new Error(`user ${userId} is not a member of guild ${guildId}`);
  const members = (rec.threadMembers ??= new Map());
  if (members.has(userId)) return;
  const now = new Date().toISOString();
  members.set(userId, now);
  rec.channel.member_count = members.size;
  state.dispatch(
    GatewayDispatchEvents.ThreadMembersUpdate,
    {
      id: threadId,
      guild_id: guildId,
      member_count: Math.min(50, members.size),
      added_members: [
        {
          id: threadId,
          user_id: userId,
          join_timestamp: now,
          flags: 0,
          member: state.member(userId, guildId),
        },
      ],
    },
    // Discord only tells about other users' thread membership with GUILD_MEMBERS.
    { intent: GatewayIntentBits.GuildMembers },
  );
  state.changed();
}
