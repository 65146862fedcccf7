// Delivery workers, one per platform. Every send takes a token from the bot token's
// shared pacer (pacing.ts: evenly spaced below the platform's limit, per chat too), so
// alert storms and interactive replies of every process together stay under the limits.
// A message is sent at most once per dedupe key; a blocked user is served on their next
// platform. 429s delay only what they concern and never cost an attempt.
import type { Platform, PrismaClient } from '@prisma/client';
import { DelayedError, type Job } from 'bullmq';
import { IdentityService } from '../../accounts/identity';
import { resolveLocale } from '../../core/i18n';
import type { Logger } from '../../core/logger';
import type { OutboundMessage, QueueHub } from '../../core/queue';
import { localize } from './content';
import { PLATFORM_PACING, SendPacer, type PacingLimits } from './pacing';
import type { PlatformSender } from './sender';
import { DELIVERY_QUEUE, type DeliveryService } from './service';
import { keys } from '../../core/keys';

/** Platform-wide rates, for callers that only need the number (the pacer is the rule). */
export const PLATFORM_LIMITS: Record<Platform, { perSecond: number }> = {
  TELEGRAM: { perSecond: PLATFORM_PACING.TELEGRAM.perSecond },
  DISCORD: { perSecond: PLATFORM_PACING.DISCORD.perSecond },
};

/** A token further away than this parks the job (delayed) instead of holding a worker slot. */
const MAX_HOLD_MS = 1_500;
const WEEK_S = 7 * 24 * 3600;

export interface DeliveryWorkerDeps {
  prisma: PrismaClient;
  hub: QueueHub;
  delivery: DeliveryService;
  sender: PlatformSender;
  logger: Logger;
  /** The bot token's budget, shared with the interactive bot (see pacerFor). */
  pacer?: SendPacer;
  /** Only used to build a private pacer when none is given (tests). */
  limits?: PacingLimits;
  concurrency?: number;
  onSent?: (msg: OutboundMessage, platform: Platform) => void;
  /** Every 429 the platform answered, with the scope the pacer applied (metrics). */
  onRateLimited?: (platform: Platform, scope: string) => void;
  /** Identity writes go through IdentityService (one owner per write); defaults to one on `prisma`. */
  identities?: Pick<IdentityService, 'setDmChat' | 'markUnreachable'>;
}

export function startDeliveryWorker(deps: DeliveryWorkerDeps) {
  const platform = deps.sender.platform;
  const limits = deps.limits ?? PLATFORM_PACING[platform];
  const redis = deps.hub.redis;
  const prefix = deps.hub.prefix;
  const k = keys(prefix);
  const pacer = deps.pacer ?? new SendPacer(redis, `${prefix}:pace:${platform.toLowerCase()}:local`, limits);
  const identities = deps.identities ?? new IdentityService(deps.prisma);
  const log = deps.logger.child({ worker: DELIVERY_QUEUE[platform] });

  const park = async (job: Job<OutboundMessage>, token: string | undefined, waitMs: number) => {
    await job.moveToDelayed(Date.now() + Math.ceil(waitMs), token);
    throw new DelayedError();
  };

  const handle = async (job: Job<OutboundMessage>, token?: string) => {
    const msg = job.data;
    const sentKey = k.deliverySent(msg.dedupeKey);
    const sendingKey = k.deliverySending(msg.dedupeKey);
    const partsKey = k.deliveryParts(platform, msg.dedupeKey);
    const [sent, sending, parts] = await redis.mget(sentKey, sendingKey, partsKey);
    // A retried or re-queued job whose message already went out (on any platform) stops here.
    if (sent) return { skipped: 'already sent' };
    // A previous attempt died between handing a part to the platform and hearing back
    // (kill -9, OOM). Telegram has no idempotency key, so we cannot ask; we count it as
    // sent: that window is far longer than the one between marking and writing the request,
    // so this turns most crash duplicates into nothing and loses a message only when the
    // process died in the sub-millisecond gap before the write.
    if (sending) {
      await redis.set(sentKey, `${platform}?`, 'EX', WEEK_S);
      log.warn({ dedupeKey: msg.dedupeKey }, 'previous attempt ended mid-send; not sending again');
      return { skipped: 'ambiguous earlier attempt' };
    }

    const identity = await deps.prisma.identity.findUnique({ where: { id: msg.identityId } });
    if (!identity || identity.userId !== msg.userId || !identity.dmReachable) {
      return fallback(msg, identity ? 'identity unreachable' : 'identity gone');
    }
    // In a Telegram private chat the chat id is the user id; Discord paces globally only.
    const chat = identity.dmChatId ?? identity.platformUserId;
    const reply = localize(msg.content, resolveLocale(identity.locale));
    const fromPart = Number(parts ?? 0);
    // "Sending" covers exactly the part in flight (set with its token, cleared when it is
    // accepted): a crash between parts resumes at the next one.
    const mark = { key: sendingKey, ttlS: WEEK_S };
    const grant = await pacer.acquire(chat, MAX_HOLD_MS, mark);
    if (!grant.ok) return park(job, token, grant.waitMs);
    const outcome = await deps.sender.send(
      { platformUserId: identity.platformUserId, dmChatId: identity.dmChatId },
      reply,
      {
        fromPart,
        beforePart: async (i) => {
          if (i === fromPart) return; // its token was taken above
          await pacer.acquire(chat, Number.POSITIVE_INFINITY, mark);
        },
        onPart: async (i) => {
          await redis
            .multi()
            .set(partsKey, String(i + 1), 'EX', WEEK_S)
            .del(sendingKey)
            .exec();
        },
      },
    );
    // An answer from the platform, success or refusal, ends the ambiguity.
    if (!outcome.ok) await redis.del(sendingKey);
    if (outcome.ok) {
      await redis.multi().set(sentKey, platform, 'EX', WEEK_S).del(sendingKey).exec();
      if (outcome.dmChatId && outcome.dmChatId !== identity.dmChatId)
        await identities.setDmChat(platform, identity.platformUserId, outcome.dmChatId);
      deps.onSent?.(msg, platform);
      return { sent: platform };
    }
    switch (outcome.kind) {
      case 'rate_limited': {
        // Not a failure: the pacer holds the chat (or pauses the platform), the job waits as told.
        const scope = await pacer.penalize(outcome.retryAfterMs, outcome.scope ?? 'unknown', chat);
        deps.onRateLimited?.(platform, scope);
        log.info({ platform, scope, retryAfterMs: outcome.retryAfterMs }, 'platform answered 429');
        return park(job, token, outcome.retryAfterMs);
      }
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
    // No BullMQ limiter: its fixed windows let bursts meet across a window edge. Pacing is
    // the pacer's; these slots only keep enough sends in flight to use every token.
    concurrency: deps.concurrency ?? Math.max(4, Math.ceil(limits.perSecond / 4)),
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
