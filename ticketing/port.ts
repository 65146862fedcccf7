// What the ticket feature needs from the chat platforms, on top of the conversation port
// (core/conversation.ts): where staff places are (the Telegram staff chat, the Discord
// support channel, the log), and a log topic created once per staff chat. Only core types
// are imported here, never a chat library; retries and pacing are the port's.
import type { Platform, PrismaClient } from '@prisma/client';
import type { ConversationPort, MessageRef, PortResult, Target } from '../core/conversation';
import { t } from '../core/i18n';
import type { Attachment, Reply } from '../core/reply';
import type { HomeRef } from './home';
import { STAFF_LOCALE } from './render';

export interface StaffPlaces {
  /** TELEGRAM_STAFF_CHAT_ID: a forum supergroup; one topic per ticket, plus a log topic. */
  telegramStaffChatId?: string;
  /** DISCORD_SUPPORT_CHANNEL_ID: private threads per ticket (guilds without their own channel). */
  discordSupportChannelId?: string;
  /** DISCORD_SUPPORT_CHANNELS: guild id → that guild's support channel. */
  discordSupportChannels?: Readonly<Record<string, string>>;
  /** TICKETS_LOG_CHANNEL_ID, else DISCORD_MOD_CHANNEL_ID: transcripts on Discord. */
  discordLogChannelId?: string;
}

export class TicketPort {
  readonly staffPlaces: Set<Platform>;

  constructor(
    readonly conversation: ConversationPort,
    private readonly places: StaffPlaces,
    private readonly prisma: PrismaClient,
  ) {
    this.staffPlaces = new Set<Platform>();
    if (places.telegramStaffChatId) this.staffPlaces.add('TELEGRAM');
    if (places.discordSupportChannelId) this.staffPlaces.add('DISCORD');
  }

  /**
   * Where a ticket's thread goes: a Discord ticket opened in a guild with its own support
   * channel gets its thread there (several communities, one deployment), any other in the
   * default support channel. Only a guild with a channel of its own makes Discord a staff
   * place for its tickets when no default is set.
   */
  parentOf(platform: Platform, guildId?: string | null): string | undefined {
    if (platform === 'TELEGRAM') return this.places.telegramStaffChatId;
    return (
      (guildId ? this.places.discordSupportChannels?.[guildId] : undefined) ??
      this.places.discordSupportChannelId
    );
  }

  /** The staff places open to a ticket from this guild (homePlatformFor's choice). */
  placesFor(guildId?: string | null): Set<Platform> {
    if (!guildId || !this.places.discordSupportChannels?.[guildId]) return this.staffPlaces;
    return new Set<Platform>([...this.staffPlaces, 'DISCORD']);
  }

  openThread(
    platform: Platform,
    name: string,
    memberPlatformUserIds: string[] = [],
    guildId?: string | null,
  ): Promise<PortResult<HomeRef>> {
    const parent = this.parentOf(platform, guildId);
    if (!parent)
      return Promise.resolve({ ok: false, kind: 'permanent', detail: `no staff place on ${platform}` });
    return this.conversation.openThread(platform, {
      parentChatId: parent,
      name,
      private: true,
      ...(memberPlatformUserIds.length ? { memberPlatformUserIds } : {}),
    });
  }

  postHome(ref: HomeRef, reply: Reply): Promise<PortResult<MessageRef>> {
    return this.conversation.post({ kind: 'thread', ...ref }, reply);
  }

  fileHome(ref: HomeRef, file: Attachment, caption?: string): Promise<PortResult<MessageRef>> {
    return this.conversation.sendFile({ kind: 'thread', ...ref }, file, caption);
  }

  /** The staff log: a "Ticket log" topic in the Telegram staff chat, the log channel on Discord. */
  async logTarget(platform: Platform): Promise<Target | null> {
    if (platform === 'DISCORD') {
      const id = this.places.discordLogChannelId;
      return id ? { kind: 'channel', platform, chatId: id } : null;
    }
    const chat = this.places.telegramStaffChatId;
    if (!chat) return null;
    const key = `log-topic:${chat}`;
    const known = await this.prisma.ticketSetting.findUnique({ where: { key } });
    if (known) return { kind: 'thread', platform, chatId: chat, threadId: known.value };
    const opened = await this.conversation.openThread(platform, {
      parentChatId: chat,
      name: t(STAFF_LOCALE, 'tickets.log.topic'),
    });
    if (!opened.ok) return null;
    // Two workers racing both create one; the first stored wins and the other stays unused.
    await this.prisma.ticketSetting.upsert({
      where: { key },
      create: { key, value: opened.value.threadId },
      update: {},
    });
    const row = await this.prisma.ticketSetting.findUniqueOrThrow({ where: { key } });
    return { kind: 'thread', platform, chatId: chat, threadId: row.value };
  }
}
