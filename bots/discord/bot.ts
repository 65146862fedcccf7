// Thin discord.js adapter: slash commands and buttons become command invocations for the
// shared dispatcher; replies are rendered ephemeral where they are personal.
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type User,
} from 'discord.js';
import type { Contact } from '../../accounts/identity';
import type { Logger } from '../../core/logger';
import { Dispatcher } from '../shared/dispatcher';
import type { Reply } from '../../core/reply';
import { commandDefinitions, routeSlash } from './commands';
import { renderInteraction } from './render';

export interface DiscordBotOptions {
  token: string;
  apiBase: string;
  guildId?: string;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Called once per user with their DM channel, so alerts need one request, not two. */
  onDmChannel?: (userId: string, channelId: string) => Promise<void>;
}

/** Interactions must be answered within 3 s; slower work is deferred first. */
const DEFER_AFTER_MS = 1_500;

export function contactOf(user: User, locale: string | null): Contact {
  return {
    platform: 'DISCORD',
    platformUserId: user.id,
    username: user.username,
    languageCode: locale,
  };
}

async function answer(interaction: ChatInputCommandInteraction | ButtonInteraction, work: Promise<Reply>) {
  let timer: NodeJS.Timeout | undefined;
  const deferred = new Promise<'defer'>((resolve) => {
    timer = setTimeout(() => resolve('defer'), DEFER_AFTER_MS);
  });
  const first = await Promise.race([work, deferred]);
  clearTimeout(timer);
  let replyObj: Reply;
  if (first === 'defer') {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    replyObj = await work;
    const [head, ...rest] = renderInteraction(replyObj);
    const { flags: _flags, ...edit } = head!;
    await interaction.editReply(edit as Parameters<typeof interaction.editReply>[0]);
    for (const m of rest) await interaction.followUp(m);
    return;
  }
  replyObj = first;
  const [head, ...rest] = renderInteraction(replyObj);
  await interaction.reply(head!);
  for (const m of rest) await interaction.followUp(m);
}

export class DiscordBot {
  readonly client: Client;
  private readonly log: Logger;
  private readonly dmKnown = new Set<string>();

  constructor(private readonly opts: DiscordBotOptions) {
    this.log = opts.logger.child({ platform: 'discord' });
    this.client = new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.MessageContent,
      ],
      partials: [Partials.Channel],
      rest: { api: opts.apiBase },
      // Belt and braces: even a message built elsewhere never pings by default.
      allowedMentions: { parse: [] },
    });
    this.client.on(Events.InteractionCreate, (i) => void this.onInteraction(i));
    this.client.on(Events.Error, (err) =>
      this.log.warn({ err: { message: err.message } }, 'discord client error'),
    );
  }

  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.opts.token);
    await ready;
    // Guild commands appear at once; global ones can take up to an hour to propagate.
    const app = this.client.application!;
    if (this.opts.guildId) await app.commands.set(commandDefinitions(), this.opts.guildId);
    else await app.commands.set(commandDefinitions());
    this.log.info({ guild: this.opts.guildId ?? null }, 'discord bot ready, commands registered');
  }

  async stop(): Promise<void> {
    await this.client.destroy();
  }

  private async rememberDm(user: User): Promise<void> {
    if (!this.opts.onDmChannel || this.dmKnown.has(user.id)) return;
    this.dmKnown.add(user.id);
    try {
      const dm = await user.createDM();
      await this.opts.onDmChannel(user.id, dm.id);
    } catch (err) {
      this.dmKnown.delete(user.id);
      this.log.debug({ err: { message: (err as Error).message } }, 'could not open DM channel');
    }
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isChatInputCommand()) {
        const routed = routeSlash(interaction.commandName, interaction.options.getSubcommand(false), (n) =>
          interaction.options.getString(n),
        );
        await answer(
          interaction,
          this.opts.dispatcher.run({
            contact: contactOf(interaction.user, interaction.locale),
            displayName: interaction.user.globalName ?? interaction.user.username,
            command: routed?.command ?? interaction.commandName,
            args: routed?.args ?? {},
          }),
        );
        void this.rememberDm(interaction.user);
      } else if (interaction.isButton()) {
        await answer(
          interaction,
          this.opts.dispatcher.press(
            contactOf(interaction.user, interaction.locale),
            interaction.user.globalName ?? interaction.user.username,
            interaction.customId,
          ),
        );
      }
    } catch (err) {
      this.log.warn(
        { err: { message: (err as Error).message }, interaction: interaction.id },
        'interaction failed',
      );
    }
  }
}
