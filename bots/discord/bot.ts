// Thin discord.js adapter: slash commands, buttons, modal submits and messages in the
// bot's threads and DMs become router calls; outcomes are rendered visible or ephemeral,
// as updates of the pressed message, or as modals. No business rule lives here.
// Intents: Guilds, GuildMessages, DirectMessages and MessageContent. The last one is
// privileged: enable "Message Content Intent" for the bot in the Developer Portal, or the
// text of messages in the bot's threads arrives empty (see docs/architecture.md).
import {
  Client,
  Events,
  GatewayIntentBits,
  Partials,
  type Interaction,
  type Message,
  type PartialMessage,
  type User,
} from 'discord.js';
import type { Logger } from '../../core/logger';
import type { Inbound, Router } from '../shared/router';
import { ReplyClock, type InputKind, type LatencyObserver } from '../shared/latency';
import { answerInteraction } from './answer';
import { discordFiles, fetchDiscordFile, interactionInbound, messageInbound, modalValues } from './inbound';
import { commandDefinitions } from './menu';
import { renderDiscord } from './render';
import { pacedRequest } from './pacing';
import type { SendPacer } from '../../notifier/delivery/pacing';

export { contactOf } from './inbound';

export interface DiscordBotOptions {
  token: string;
  apiBase: string;
  guildId?: string;
  router: Router;
  logger: Logger;
  /** Channels whose messages and threads count as staff places. */
  staffChannelIds?: readonly string[];
  /** Called once per user with their DM channel, so alerts need one request, not two. */
  onDmChannel?: (userId: string, channelId: string) => Promise<void>;
  /** The bot token's send budget, shared with alert delivery (bots/discord/pacing.ts). */
  pacer?: SendPacer;
  /** Update-in → reply-out per interaction or message (benchmarks, metrics). */
  observeLatency?: LatencyObserver;
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
      rest: { api: opts.apiBase, ...(opts.pacer ? { makeRequest: pacedRequest(opts.pacer) } : {}) },
      // Belt and braces: even a message built elsewhere never pings by default.
      allowedMentions: { parse: [] },
    });
    this.client.on(Events.InteractionCreate, (i) => void this.onInteraction(i));
    this.client.on(Events.MessageCreate, (m) => void this.onMessage(m));
    // Link embeds resolving later also come as updates: only a changed text is an edit.
    this.client.on(Events.MessageUpdate, (old, m) => {
      if (!old.partial && old.content === m.content) return;
      void this.onEdit(m);
    });
    this.client.on(Events.Error, (err) =>
      this.log.warn({ err: { message: err.message } }, 'discord client error'),
    );
  }

  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.opts.token);
    await ready;
    // With DISCORD_GUILD_ID the commands are that guild's only: they appear at once (one
    // community, or development). Several guilds leave it unset: global commands are served
    // in every guild the bot is in, and in guilds it joins later, with no registration per
    // guild (Discord may take up to an hour to show them the first time). Copies registered
    // per guild of DISCORD_SUPPORT_CHANNELS would miss guilds joined after start-up and would
    // show twice next to global ones, so global commands are what several guilds need.
    const app = this.client.application!;
    const defs = commandDefinitions(this.opts.router.registry);
    if (this.opts.guildId) await app.commands.set(defs, this.opts.guildId);
    else await app.commands.set(defs);
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
    const clock = new ReplyClock();
    let kind: InputKind | undefined;
    try {
      const router = this.opts.router;
      if (interaction.isChatInputCommand()) {
        kind = 'command';
        const resolved = router.registry.resolveSlash(
          interaction.commandName,
          interaction.options.getSubcommand(false),
          (n) => interaction.options.getString(n),
        );
        const inb = interactionInbound(interaction, this.opts.staffChannelIds);
        await answerInteraction(
          interaction,
          router.command(inb, resolved?.command.name ?? interaction.commandName, resolved?.args ?? {}),
          clock,
        );
        void this.rememberDm(interaction.user);
      } else if (interaction.isButton()) {
        kind = 'button';
        await answerInteraction(
          interaction,
          router.button(interactionInbound(interaction, this.opts.staffChannelIds), interaction.customId),
          clock,
        );
      } else if (interaction.isModalSubmit()) {
        kind = 'modal';
        const values = modalValues(interaction);
        await answerInteraction(
          interaction,
          router.modalSubmit(
            interactionInbound(interaction, this.opts.staffChannelIds),
            interaction.customId,
            values,
          ),
          clock,
        );
      }
    } catch (err) {
      this.log.warn(
        { err: { message: (err as Error).message }, interaction: interaction.id },
        'interaction failed',
      );
    } finally {
      if (kind) clock.report(this.opts.observeLatency, 'DISCORD', kind);
    }
  }

  /** An edited message in a DM or a bot-owned thread: its relayed copy is edited (no answer). */
  private async onEdit(partial: Message | PartialMessage): Promise<void> {
    try {
      const message = partial.partial ? await partial.fetch() : partial;
      if (message.author.bot || message.system) return;
      const channel = message.channel;
      const inThread = channel.isThread() && channel.ownerId === this.client.user?.id;
      if (!channel.isDMBased() && !inThread) return;
      await this.opts.router.edited(messageInbound(message, this.opts.staffChannelIds), message.content);
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'message edit handling failed');
    }
  }

  /** Free text in the user's DM or in a thread the bot owns. */
  private async onMessage(message: Message): Promise<void> {
    const clock = new ReplyClock();
    try {
      if (message.author.bot || message.system) return;
      const channel = message.channel;
      const inThread = channel.isThread() && channel.ownerId === this.client.user?.id;
      // In a guild channel only a mention of the bot speaks to it: a question for the assistant.
      const me = this.client.user?.id;
      const mentioned = !channel.isDMBased() && !inThread && !!me && message.mentions.users.has(me);
      if (!channel.isDMBased() && !inThread && !mentioned) return;
      if ('sendTyping' in channel) void channel.sendTyping().catch(() => {});
      const inb: Inbound = {
        ...messageInbound(message, this.opts.staffChannelIds),
        ...(message.attachments.size ? { files: discordFiles(message), fetchFile: fetchDiscordFile } : {}),
      };
      const routed = mentioned
        ? await this.opts.router.command(inb, 'ask', {
            question: message.content.replace(new RegExp(`<@!?${me}>`, 'g'), ' ').trim(),
          })
        : await this.opts.router.text(inb, message.content);
      if (!routed) return;
      const o = routed.outcome;
      const text =
        o.kind === 'reply'
          ? o.reply
          : o.kind === 'toast'
            ? { blocks: [{ kind: 'text' as const, text: o.text }] }
            : null;
      if (!text) return;
      if (!('send' in channel)) return;
      clock.out();
      clock.report(this.opts.observeLatency, 'DISCORD', 'text');
      for (const m of renderDiscord(text)) await channel.send(m);
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'message handling failed');
    }
  }
}
