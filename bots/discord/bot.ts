// Thin discord.js adapter: slash commands, buttons, modal submits and messages in the
// bot's threads and DMs become router calls; outcomes are rendered visible or ephemeral,
// as updates of the pressed message, or as modals. No business rule lives here.
// Intents: Guilds, GuildMessages, DirectMessages and MessageContent. The last one is
// privileged: enable "Message Content Intent" for the bot in the Developer Portal, or the
// text of messages in the bot's threads arrives empty (see docs/architecture.md).
import {
  Client,
  ComponentType,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
  type ModalSubmitInteraction,
  type PartialMessage,
  type User,
} from 'discord.js';
import type { Contact } from '../../accounts/identity';
import { encodeFiles, type InboundFile, type Origin } from '../../core/feature';
import type { Logger } from '../../core/logger';
import type { Inbound, Routed, Router } from '../shared/router';
import { ReplyClock, type InputKind, type LatencyObserver } from '../shared/latency';
import { commandDefinitions } from './menu';
import { buildModal } from './modal';
import { NO_PINGS, renderDiscord, renderInteraction } from './render';
import { pacedRequest } from './pacing';
import type { SendPacer } from '../../notifier/delivery/pacing';

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

/** Interactions must be answered within 3 s; slower work is deferred first. */
const DEFER_AFTER_MS = 1_500;

type Answerable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

export function contactOf(user: User, locale: string | null): Contact {
  return { platform: 'DISCORD', platformUserId: user.id, username: user.username, languageCode: locale };
}

function memberRoleIds(i: Interaction): readonly string[] | undefined {
  const m = i.member;
  if (!m) return undefined;
  const roles = m.roles as unknown;
  if (Array.isArray(roles)) return roles as string[];
  return [...(m.roles as { cache: Map<string, unknown> }).cache.keys()];
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

  private originOf(
    channel: { id: string; isThread(): boolean; isDMBased(): boolean; parentId?: string | null } | null,
    channelId: string,
  ): Origin {
    const staffIds = this.opts.staffChannelIds ?? [];
    if (!channel || channel.isDMBased()) return { kind: 'dm', platform: 'DISCORD', chatId: channelId };
    if (channel.isThread()) {
      const parent = channel.parentId ?? channelId;
      return {
        kind: 'thread',
        platform: 'DISCORD',
        chatId: parent,
        threadId: channelId,
        staff: staffIds.includes(parent),
      };
    }
    return { kind: 'group', platform: 'DISCORD', chatId: channelId, staff: staffIds.includes(channelId) };
  }

  private inbound(i: Answerable): Inbound {
    const origin = this.originOf(i.channel, i.channelId ?? '');
    const roles = memberRoleIds(i);
    const source = 'message' in i && i.message ? i.message : null;
    return {
      contact: contactOf(i.user, i.locale),
      displayName: i.user.globalName ?? i.user.username,
      origin,
      here: { kind: 'interaction', platform: 'DISCORD', interactionId: i.id, visibility: 'ephemeral' },
      ...(source
        ? {
            message: {
              platform: 'DISCORD' as const,
              chatId: origin.chatId,
              ...(origin.kind === 'thread' ? { threadId: origin.threadId } : {}),
              messageId: source.id,
            },
          }
        : {}),
      ...(roles ? { memberRoleIds: roles } : {}),
      ...(i.guildId ? { guildId: i.guildId } : {}),
    };
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
        const inb = this.inbound(interaction);
        await this.answer(
          interaction,
          router.command(inb, resolved?.command.name ?? interaction.commandName, resolved?.args ?? {}),
          clock,
        );
        void this.rememberDm(interaction.user);
      } else if (interaction.isButton()) {
        kind = 'button';
        await this.answer(interaction, router.button(this.inbound(interaction), interaction.customId), clock);
      } else if (interaction.isModalSubmit()) {
        kind = 'modal';
        const values: Record<string, string> = {};
        for (const [id, f] of interaction.fields.fields) {
          if (f.type === ComponentType.FileUpload)
            values[id] = encodeFiles(
              [...(interaction.fields.getUploadedFiles(id) ?? new Map()).values()].map((a) => ({
                name: a.name,
                size: a.size,
                url: a.url,
                ref: a.id,
                ...(a.contentType ? { contentType: a.contentType } : {}),
              })),
            );
          else if ('value' in f && typeof f.value === 'string') values[id] = f.value;
          else if ('values' in f && Array.isArray(f.values)) values[id] = (f.values as string[]).join(',');
        }
        await this.answer(
          interaction,
          router.modalSubmit(this.inbound(interaction), interaction.customId, values),
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

  /** Answers within Discord's 3 s: the outcome if it is ready, else a deferral and then the outcome. */
  private async answer(i: Answerable, work: Promise<Routed>, clock: ReplyClock): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'defer'>(
      (resolve) => (timer = setTimeout(() => resolve('defer'), DEFER_AFTER_MS)),
    );
    const first = await Promise.race([work, late]);
    clearTimeout(timer);
    const component = i.isButton() || (i.isModalSubmit() && i.isFromMessage());
    if (first !== 'defer') return this.render(i, first, false, clock);
    if (component) await i.deferUpdate();
    else await i.deferReply({ flags: MessageFlags.Ephemeral });
    return this.render(i, await work, true, clock);
  }

  private async render(i: Answerable, routed: Routed, deferred: boolean, clock: ReplyClock): Promise<void> {
    // Rendering below is synchronous up to the first REST call: the answer leaves now.
    clock.out();
    const o = routed.outcome;
    const component = i.isButton() || (i.isModalSubmit() && i.isFromMessage());
    const sayEphemeral = async (content: string) => {
      const msg = { content, allowedMentions: NO_PINGS, flags: MessageFlags.Ephemeral as const };
      if (!deferred) await i.reply(msg);
      else if (component) await i.followUp(msg);
      else await i.editReply({ content, allowedMentions: NO_PINGS });
    };
    switch (o.kind) {
      case 'modal':
        if (deferred || i.isModalSubmit()) return sayEphemeral('…');
        await i.showModal(
          buildModal(routed.modal!.decl, routed.modal!.customId, routed.locale, routed.modal!.prefill),
        );
        return;
      case 'toast':
        return sayEphemeral(o.text);
      case 'none':
        if (!deferred) {
          if (component) await i.deferUpdate();
          else await i.reply({ content: '✓', flags: MessageFlags.Ephemeral });
        }
        return;
      case 'update': {
        if (!component) break;
        const [head] = renderDiscord(o.reply);
        const edit = {
          content: head!.content ?? '',
          components: head!.components ?? [],
          allowedMentions: NO_PINGS,
        };
        if (deferred) await i.editReply(edit);
        else if (i.isButton()) await i.update(edit);
        else if (i.isModalSubmit()) await i.update(edit);
        return;
      }
      case 'reply':
        break;
    }
    const reply = o.kind === 'reply' || o.kind === 'update' ? o.reply : null;
    if (!reply) return;
    const visible = o.kind === 'reply' && o.visibility === 'visible';
    const [head, ...rest] = renderInteraction(reply, visible ? 'visible' : 'ephemeral');
    if (!deferred) await i.reply(head!);
    else if (component) await i.followUp(head!);
    else {
      const { flags: _flags, ...edit } = head!;
      await i.editReply(edit as Parameters<typeof i.editReply>[0]);
    }
    for (const m of rest) await i.followUp(m);
  }

  /** An edited message in a DM or a bot-owned thread: its relayed copy is edited (no answer). */
  private async onEdit(partial: Message | PartialMessage): Promise<void> {
    try {
      const message = partial.partial ? await partial.fetch() : partial;
      if (message.author.bot || message.system) return;
      const channel = message.channel;
      const inThread = channel.isThread() && channel.ownerId === this.client.user?.id;
      if (!channel.isDMBased() && !inThread) return;
      await this.opts.router.edited(this.inboundOf(message), message.content);
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'message edit handling failed');
    }
  }

  /** Who wrote a message, where, and which message: shared by new and edited messages. */
  private inboundOf(message: Message): Inbound {
    const origin = this.originOf(message.channel, message.channel.id);
    return {
      contact: contactOf(message.author, null),
      displayName: message.author.globalName ?? message.author.username,
      origin,
      here: { kind: 'channel', platform: 'DISCORD', chatId: message.channel.id },
      message: {
        platform: 'DISCORD',
        chatId: origin.chatId,
        ...(origin.kind === 'thread' ? { threadId: origin.threadId } : {}),
        messageId: message.id,
      },
      ...(message.member ? { memberRoleIds: [...message.member.roles.cache.keys()] } : {}),
    };
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
        ...this.inboundOf(message),
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

/** A message's attachments, by CDN URL (fetched while the signed link is fresh). */
function discordFiles(message: Message): InboundFile[] {
  return [...message.attachments.values()].slice(0, 10).map((a) => ({
    name: a.name.slice(0, 200),
    ...(a.contentType ? { contentType: a.contentType } : {}),
    size: a.size,
    url: a.url,
    ref: a.id,
  }));
}

async function fetchDiscordFile(file: InboundFile): Promise<Buffer | null> {
  if (!file.url) return null;
  const res = await fetch(file.url, { signal: AbortSignal.timeout(30_000) });
  return res.ok ? Buffer.from(await res.arrayBuffer()) : null;
}
