// Case cards on the conversation port: in the staff group's "Reports" forum topic
// (created once and remembered) and in the Discord moderators' channel.
import type { Platform, PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import type { ConversationPort, Target } from '../core/conversation';
import { t } from '../core/i18n';
import type { Logger } from '../core/logger';
import type { Reply } from '../core/reply';
import { withCaseLock } from './lock';
import type { CardPort, CardRef, CardResult } from './ports';

const NO_TOPIC = 'none';

export class ConversationCardPort implements CardPort {
  readonly platforms: Platform[];

  constructor(
    private readonly deps: {
      conversation: ConversationPort;
      prisma: PrismaClient;
      redis: Redis;
      prefix: string;
      telegramStaffChatId?: string;
      discordModChannelId?: string;
      cardLocale: 'en' | 'zh';
      logger: Logger;
    },
  ) {
    this.platforms = [
      ...(deps.telegramStaffChatId ? (['TELEGRAM'] as const) : []),
      ...(deps.discordModChannelId ? (['DISCORD'] as const) : []),
    ];
  }

  locale(): 'en' | 'zh' {
    return this.deps.cardLocale;
  }

  async post(platform: Platform, reply: Reply): Promise<CardResult<CardRef>> {
    const target = platform === 'TELEGRAM' ? await this.telegramTarget() : this.discordTarget();
    if (!target) return { ok: false, kind: 'permanent', detail: 'no moderators place configured' };
    const res = await this.deps.conversation.post(target, reply);
    return res.ok ? { ok: true, value: res.value } : { ok: false, kind: res.kind, detail: detailOf(res) };
  }

  async edit(ref: CardRef, reply: Reply): Promise<CardResult<unknown>> {
    const res = await this.deps.conversation.edit(ref, reply);
    if (res.ok) return { ok: true, value: res.value };
    // Telegram refuses an edit to the same text: the card already shows it.
    if (/not modified/i.test(detailOf(res))) return { ok: true, value: ref };
    return { ok: false, kind: res.kind, detail: detailOf(res) };
  }

  private discordTarget(): Target | null {
    const chatId = this.deps.discordModChannelId;
    return chatId ? { kind: 'channel', platform: 'DISCORD', chatId } : null;
  }

  /** The "Reports" topic of the staff group, created on first use; the group itself when it has no topics. */
  private async telegramTarget(): Promise<Target | null> {
    const chatId = this.deps.telegramStaffChatId;
    if (!chatId) return null;
    const key = `telegram.reports_topic.${chatId}`;
    const read = async () => (await this.deps.prisma.moderationSetting.findUnique({ where: { key } }))?.value;
    const toTarget = (threadId: string): Target =>
      threadId === NO_TOPIC
        ? { kind: 'channel', platform: 'TELEGRAM', chatId }
        : { kind: 'thread', platform: 'TELEGRAM', chatId, threadId };
    const known = await read();
    if (known) return toTarget(known);
    // Created once, even when several card jobs start at the same moment.
    return withCaseLock(this.deps.redis, `${this.deps.prefix}:mod:reports-topic`, async () => {
      const again = await read();
      if (again) return toTarget(again);
      const res = await this.deps.conversation.openThread('TELEGRAM', {
        parentChatId: chatId,
        name: t(this.deps.cardLocale, 'moderation.topic.name'),
      });
      if (!res.ok && res.kind !== 'permanent') throw new Error(`reports topic: ${res.kind}`);
      if (!res.ok)
        this.deps.logger.warn({ detail: detailOf(res) }, 'staff chat has no topics: cards go to the chat');
      const value = res.ok ? res.value.threadId : NO_TOPIC;
      await this.deps.prisma.moderationSetting.create({ data: { key, value } });
      return toTarget(value);
    });
  }
}

const detailOf = (res: { kind: string; detail?: string }) =>
  'detail' in res && res.detail ? res.detail : res.kind;
