// The Discord emulator as the app sees it: the settings that point the app at it, and the
// wait until the bot is connected with its guild commands registered.
import type { DiscordSandbox } from '../../sandbox/discord';

/** The connection settings every Discord end-to-end test gives the app. */
export function discordEnv(dc: DiscordSandbox): Record<string, string> {
  return {
    DISCORD_TOKEN: dc.token,
    DISCORD_APPLICATION_ID: dc.applicationId,
    DISCORD_GUILD_ID: dc.guildId,
    DISCORD_API_BASE: dc.apiBase,
  };
}

/**
 * The gateway is up and `command` is registered: in the guild (DISCORD_GUILD_ID set), or
 * globally with `global` (no DISCORD_GUILD_ID: several guilds).
 */
export async function discordReady(
  dc: DiscordSandbox,
  command: string,
  opts: { global?: boolean } = {},
): Promise<void> {
  await dc.ready({ timeoutMs: 15_000 });
  await dc.waitFor(() => dc.commands({ guild: !opts.global }).some((c) => c.name === command), {
    what: 'commands registered',
  });
}

/** The user was added to the thread (a ticket's user joins it when it opens). */
export function userInThread(dc: DiscordSandbox, threadId: string, userId: string): Promise<true> {
  return dc.waitFor(
    () =>
      dc
        .threads()
        .find((x) => x.id === threadId)
        ?.members.includes(userId) || null,
    {
      what: 'user in thread',
    },
  );
}
