// How the emulator computes a user's permissions in a channel (roles, overwrites, the parent of a
// thread, private threads): the rule Discord applies, apart from the state that holds the data.
import { ChannelType } from 'discord-api-types/v10';
import { P, computePermissions } from './permissions';
import type { MembersState } from './state-members';

/** A user's permissions in a channel: DMs fixed, guild channels computed, private threads for members. */
export function channelPermissions(state: MembersState, userId: string, channelId: string): bigint {
  const rec = state.channels.get(channelId);
  if (!rec) return 0n;
  const ch = rec.channel;
  if (ch.type === ChannelType.DM)
    return bitsOf(
      P.ViewChannel,
      P.SendMessages,
      P.ReadMessageHistory,
      P.EmbedLinks,
      P.AttachFiles,
      P.UseApplicationCommands,
    );
  const g = state.guildOf(channelId);
  const roles = g ? state.memberRoles(userId, g.id) : undefined;
  if (!g || !roles) return 0n;
  const isThread = state.isThread(ch);
  const target = isThread ? state.channels.get(ch.parent_id ?? '')?.channel : ch;
  const overwrites = target && 'permission_overwrites' in target ? (target.permission_overwrites ?? []) : [];
  const perms = computePermissions(
    g.id,
    g.roles,
    { userId, roleIds: roles, isOwner: userId === g.ownerId },
    overwrites,
  );
  if (ch.type === ChannelType.PrivateThread && !rec.threadMembers?.has(userId) && !(perms & P.ManageThreads))
    return 0n;
  return perms;
}

function bitsOf(...flags: bigint[]): bigint {
  return flags.reduce((a, b) => a | b, 0n);
}
