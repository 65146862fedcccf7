// Discord staff: guild members holding a role of DISCORD_STAFF_ROLE_IDS (moderators:
// DISCORD_MOD_ROLE_IDS, default the staff roles). Interactions carry the member's roles;
// DM input looks the member up once (then cached by the RoleResolver).
import { DiscordAPIError, REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { discordRoleSource, type RoleSource } from '../shared/roles';

export function discordRoles(opts: {
  token: string;
  apiBase: string;
  guildId: string;
  staffRoleIds: readonly string[];
  modRoleIds: readonly string[];
}): RoleSource {
  const rest = new REST({ api: opts.apiBase, timeout: 10_000 }).setToken(opts.token);
  return discordRoleSource({
    staffRoleIds: opts.staffRoleIds,
    modRoleIds: opts.modRoleIds,
    fetchMemberRoles: async (userId) => {
      try {
        const m = (await rest.get(Routes.guildMember(opts.guildId, userId))) as { roles: string[] };
        return m.roles;
      } catch (err) {
        if (err instanceof DiscordAPIError && err.status === 404) return null;
        throw err;
      }
    },
  });
}
