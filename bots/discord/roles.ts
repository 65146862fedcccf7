// Discord staff: guild members holding a role of DISCORD_STAFF_ROLE_IDS (moderators:
// DISCORD_MOD_ROLE_IDS, default the staff roles). Interactions and guild messages carry the
// member's roles in the guild they happen in, so those are judged as they come, in every
// guild. Input without them (DMs, the dashboard) looks the member up in each guild the
// deployment names, DISCORD_GUILD_ID and the guilds of DISCORD_SUPPORT_CHANNELS: staff in
// any of them is staff (then cached by the RoleResolver).
import { DiscordAPIError, REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { discordRoleSource, type RoleSource } from '../shared/roles';

export function discordRoles(opts: {
  token: string;
  apiBase: string;
  /** Guilds to look a member up in when the input carries no roles. */
  guildIds: readonly string[];
  staffRoleIds: readonly string[];
  modRoleIds: readonly string[];
}): RoleSource {
  const rest = new REST({ api: opts.apiBase, timeout: 10_000 }).setToken(opts.token);
  const guildIds = [...new Set(opts.guildIds)];
  return discordRoleSource({
    staffRoleIds: opts.staffRoleIds,
    modRoleIds: opts.modRoleIds,
    fetchMemberRoles: (userId) => memberRolesIn(rest, guildIds, userId),
  });
}

/**
 * The member's roles across `guildIds` (role ids are unique, so the union judges "staff in
 * any guild"); null when a member of none. A failed lookup fails the whole answer, so the
 * resolver grants nothing and does not cache it.
 */
async function memberRolesIn(
  rest: REST,
  guildIds: readonly string[],
  userId: string,
): Promise<readonly string[] | null> {
  const answers = await Promise.all(
    guildIds.map(async (guildId) => {
      try {
        return ((await rest.get(Routes.guildMember(guildId, userId))) as { roles: string[] }).roles;
      } catch (err) {
        // Not a member there (10007), or a guild the bot is not in (10004): no roles there.
        if (err instanceof DiscordAPIError && err.status === 404) return null;
        throw err;
      }
    }),
  );
  const found = answers.filter((r): r is string[] => r !== null);
  return found.length ? found.flat() : null;
}
