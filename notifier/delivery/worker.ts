// Delivery workers, one per platform, limited to the platform's rates: Telegram 30
// messages/s overall and 1/s per chat, Discord 50 requests/s. A message is sent at most
// once per dedupe key; a blocked user is served on their next platform.
import type { Platform, PrismaClient } from '@prisma/client';
import { DelayedError, type Job } from 'bullmq';
import { IdentityService } from '../../accounts/identity';
import { resolveLocale } from '../../core/i18n';
import type { Logger } from '../../core/logger';
import type { OutboundMessage, QueueHub } from '../../core/queue';
import { localize } from './content';
import type { PlatformSender } from './sender';
import { DELIVERY_QUEUE, type DeliveryService } from './service';

export interface DeliveryLimits {
  /** Messages per second for the whole platform. */
  perSecond: number;
  /** Minimum gap between two messages to one chat (Telegram: 1 s). 0 = none. */
  perChatGapMs: number;
}

/** Share of the platform limit we aim at; the rest absorbs clock jitter between us and them. */
const PACE = 0.97;

export const PLATFORM_LIMITS: Record<Platform, DeliveryLimits> = {
  TELEGRAM: { perSecond: 30, perChatGapMs: 1_000 },
  DISCORD: { perSecond: 50, perChatGapMs: 0 },
};

export interface DeliveryWorkerDeps {
  prisma: PrismaClient;
  hub: QueueHub;
  delivery: DeliveryService;
  sender: PlatformSender;
  logger: Logger;
  limits?: DeliveryLimits;
  concurrency?: number;
  onSent?: (msg: OutboundMessage, platform: Platform) => void;
  /** Identity writes go through IdentityService (one owner per write); defaults to one on `prisma`. */
  identities?: Pick<IdentityService, 'setDmChat' | 'markUnreachable'>;
}

export function startDeliveryWorker(deps: DeliveryWorkerDeps) {
  const platform = deps.sender.platform;
  const limits = deps.limits ?? PLATFORM_LIMITS[platform];
  const redis = deps.hub.redis;
  const prefix = deps.hub.prefix;
  const log = deps.logger.child({ worker: DELIVERY_QUEUE[platform] });
  const identities = deps.identities ?? new IdentityService(deps.prisma);

  const handle = async (job: Job<OutboundMessage>, token?: string) => {
    const msg = job.data;
    const sentKey = `${prefix}:sent:${msg.dedupeKey}`;
    const sendingKey = `${prefix}:sending:${msg.dedupeKey}`;
    // A retried or re-queued job whose message already went out (on any platform) stops here.
    if (await redis.exists(sentKey)) return { skipped: 'already sent' };
    // A previous attempt died between handing the message to the platform and hearing back
    // (kill -9, OOM). Telegram has no idempotency key, so we cannot ask; we count it as
    // sent: that window is far longer than the one between marking and writing the request,
    // so this turns most crash duplicates into nothing and loses a message only when the
    // process died in the sub-millisecond gap before the write.
    if (await redis.exists(sendingKey)) {
      await redis.set(sentKey, `${platform}?`, 'EX', 7 * 24 * 3600);
      log.warn({ dedupeKey: msg.dedupeKey }, 'previous attempt ended mid-send; not sending again');
      return { skipped: 'ambiguous earlier attempt' };
    }

    const identity = await deps.prisma.identity.findUnique({ where: { id: msg.identityId } });
    if (!identity || identity.userId !== msg.userId || !identity.dmReachable) {
      return fallback(msg, identity ? 'identity unreachable' : 'identity gone');
    }
    const chatKey = `${prefix}:chatgap:${platform}:${identity.platformUserId}`;
    if (limits.perChatGapMs > 0) {
      const free = await redis.set(chatKey, '1', 'PX', limits.perChatGapMs, 'NX');
      if (!free) {
        const wait = Math.max(50, await redis.pttl(chatKey));
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
    }
    const reply = localize(msg.content, resolveLocale(identity.locale));
    await redis.set(sendingKey, '1', 'EX', 7 * 24 * 3600);
    const partsKey = `${prefix}:parts:${platform}:${msg.dedupeKey}`;
    const outcome = await deps.sender.send(
      { platformUserId: identity.platformUserId, dmChatId: identity.dmChatId },
      reply,
      {
        fromPart: Number((await redis.get(partsKey)) ?? 0),
        onPart: async (i) => void (await redis.set(partsKey, String(i + 1), 'EX', 7 * 24 * 3600)),
      },
    );
    // An answer from the platform, success or refusal, ends the ambiguity.
    if (!outcome.ok) await redis.del(sendingKey);
    if (outcome.ok) {
      await redis.set(sentKey, platform, 'EX', 7 * 24 * 3600);
      if (outcome.dmChatId && outcome.dmChatId !== identity.dmChatId) {
        await identities.setDmChat(platform, identity.platformUserId, outcome.dmChatId);
      }
      deps.onSent?.(msg, platform);
      return { sent: platform };
    }
    switch (outcome.kind) {
      case 'rate_limited':
        // Not a failure: wait as told and try again without spending an attempt.
        await deps.hub.queue(DELIVERY_QUEUE[platform]).rateLimit(outcome.retryAfterMs);
        await job.moveToDelayed(Date.now() + outcome.retryAfterMs, token);
        throw new DelayedError();
      case 'blocked':
        await identities.markUnreachable(identity.id);
        log.info({ user: msg.userId, platform }, 'user blocked the bot here; trying another platform');
        return fallback(msg, outcome.detail);
      case 'permanent':
        await deps.delivery.recordFailure(msg.userId, msg.dedupeKey, msg.kind, outcome.detail, [
          ...(msg.tried ?? []),
          platform,
        ]);
        return { failed: outcome.detail };
      case 'transient':
        throw new Error(`transient: ${outcome.detail}`);
    }
  };

  async function fallback(msg: OutboundMessage, reason: string) {
    const tried = [...(msg.tried ?? []), platform];
    const next = msg.fallback ? (await deps.delivery.candidates(msg.userId, tried))[0] : undefined;
    if (!next) {
      await deps.delivery.recordFailure(msg.userId, msg.dedupeKey, msg.kind, reason, tried);
      return { failed: reason };
    }
    await deps.delivery.enqueue({ ...msg, identityId: next.id, tried }, next.platform);
    return { fellBackTo: next.platform };
  }

  const worker = deps.hub.worker(DELIVERY_QUEUE[platform], handle, {
    concurrency: deps.concurrency ?? Math.max(4, Math.ceil(limits.perSecond / 2)),
    // A quarter of the limit every quarter second (at 97%) rather than the whole limit per
    // fixed one-second window: fixed windows let two bursts meet across a window edge, which
    // the platform answers with 429 and a whole second of retry_after for the entire queue.
    limiter: {
      max: Math.ceil(limits.perSecond / 4),
      duration: Math.round((Math.ceil(limits.perSecond / 4) * 1_000) / (limits.perSecond * PACE)),
    },
    // Short locks: sends of a killed process are retried within seconds, not after 30 s.
    lockDuration: 10_000,
    stalledInterval: 5_000,
  });
  worker.on('failed', async (job, err) => {
    // Out of attempts: record it so staff can see who was not reached.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      await deps.delivery
        .recordFailure(job.data.userId, job.data.dedupeKey, job.data.kind, err.message, [
          ...(job.data.tried ?? []),
          platform,
        ])
        .catch(() => {});
    }
  });
  return worker;
}
