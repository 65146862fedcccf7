import { Client, GatewayIntentBits, Partials, type ClientOptions } from 'discord.js';
import type { DiscordSandbox } from './control';

/** The intents nodedesk's bot uses; MessageContent lets it read user messages. */
export const BOT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
];

/**
 * A real discord.js client logged in to the sandbox and past its `ready` event.
 * Partials.Channel is needed to receive DMs in uncached DM channels, as on Discord.
 */
export async function connectClient(
  dc: DiscordSandbox,
  options: Partial<ClientOptions> = {},
): Promise<Client<true>> {
  const client = new Client({
    intents: BOT_INTENTS,
    partials: [Partials.Channel],
    ...options,
    rest: { ...options.rest, api: dc.apiBase },
  });
  const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
  await client.login(dc.token);
  await ready;
  return client as Client<true>;
}
