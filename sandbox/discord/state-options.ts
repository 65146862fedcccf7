// The shapes the emulator state is configured and observed with (its options, a user's
// options, dispatch metadata); apart from state-members.ts so the state's logic reads alone.
import type { GatewayDispatchEvents, GatewayIntentBits } from 'discord-api-types/v10';
import type { GuildOptions } from './guild';

/** Who may receive a dispatch: the intent it needs and, for messages, what MESSAGE_CONTENT hides. */
export interface DispatchMeta {
  intent?: GatewayIntentBits;
  /** MESSAGE_CREATE/UPDATE: strip content unless the session has MESSAGE_CONTENT or this is exempt. */
  contentExempt?: boolean;
}

export interface Dispatcher {
  dispatch(event: GatewayDispatchEvents, data: unknown, meta: DispatchMeta): void;
}

export interface StateOptions {
  token: string;
  applicationId: string;
  botUsername?: string;
  guild?: GuildOptions;
}

export interface UserOptions {
  username?: string;
  globalName?: string | null;
  locale?: string;
  /** Roles in `guildId` (default: the default guild); roles are per guild on Discord. */
  roles?: string[];
  /**
   * Member of `guildId` (default: the default guild). A new user joins it unless this is
   * false; naming a guild the user is not in makes them join it. Users who share no guild
   * with the bot cannot receive DMs from it.
   */
  inGuild?: boolean;
  nick?: string | null;
  /** The guild that `roles`, `inGuild` and `nick` apply to. */
  guildId?: string;
}
