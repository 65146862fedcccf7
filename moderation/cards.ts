// Keeps each case's card current on every platform: posted once, then edited in place.
// One publisher per case at a time, bursts coalesced (see lock.ts): a card is posted once.
import type { PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';
import { loadCaseView, renderCard } from './card';
import type { CardPort } from './ports';
import { coalesced } from './lock';

export class CardPublisher {
  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      redis: Redis;
      prefix: string;
      port: CardPort;
      logger: Logger;
    },
  ) {}

  /** Brings every platform's card of the case up to the case's current version. */
  async sync(caseId: string): Promise<void> {
    const { redis, prefix } = this.deps;
    await coalesced(redis, `${prefix}:mod:card:${caseId}`, () => this.publish(caseId));
  }

  private async publish(caseId: string): Promise<void> {
    const { prisma, port, logger } = this.deps;
    const view = await loadCaseView(prisma, caseId);
    if (!view) return;
    for (const platform of port.platforms) {
      const card = await prisma.caseCard.findUnique({ where: { caseId_platform: { caseId, platform } } });
      if (card && card.version >= view.version) continue;
      const rendered = renderCard(view, port.locale(platform));
      if (card) {
        const res = await port.edit(
          {
            platform,
            chatId: card.chatId,
            messageId: card.messageId,
            ...(card.threadId ? { threadId: card.threadId } : {}),
          },
          rendered,
        );
        if (!res.ok) {
          logger.warn({ caseId, platform, kind: res.kind }, 'case card edit failed');
          if (res.kind !== 'permanent') throw new Error(`card edit ${res.kind}`);
          continue;
        }
        await prisma.caseCard.update({
          where: { caseId_platform: { caseId, platform } },
          data: { version: view.version },
        });
      } else {
        const res = await port.post(platform, rendered);
        if (!res.ok) {
          logger.warn({ caseId, platform, kind: res.kind }, 'case card post failed');
          if (res.kind !== 'permanent') throw new Error(`card post ${res.kind}`);
          continue;
        }
        await prisma.caseCard.create({
          data: {
            caseId,
            platform,
            chatId: res.value.chatId,
            messageId: res.value.messageId,
            threadId: res.value.threadId ?? null,
            version: view.version,
          },
        });
      }
    }
  }
}
