// Delivery workers, one per platform. Every send takes a token from the bot token's
// shared pacer (pacing.ts: evenly spaced below the platform's limit, per chat too), so
// alert storms and interactive replies of every process together stay under the limits.
// A message is sent at most once per dedupe key; a blocked user is served on their next
// platform. 429s delay only what they concern and never cost an attempt.
import type { Identity, Platform, PrismaClient } from '@prisma/client';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { DelayedError, type Job } from 'bullmq';
import { IdentityService } from '../../accounts/identity';
import { resolveLocale } from '../../core/i18n';
import type { Logger } from '../../core/logger';
import type { OutboundMessage, QueueHub } from '../../core/queue';
import { localize } from './content';
import { PLATFORM_PACING, SendPacer, type Grant, type PacingLimits } from './pacing';
import type { PlatformSender } from './sender';
import { DELIVERY_QUEUE, type DeliveryService } from './service';
import { keys } from '../../core/keys';

/** Platform-wide rates, for callers that only need the number (the pacer is the rule). */
export const PLATFORM_LIMITS: Record<Platform, { perSecond: number }> = {
  TELEGRAM: { perSecond: PLATFORM_PACING.TELEGRAM.perSecond },
  DISCORD: { perSecond: PLATFORM_PACING.DISCORD.perSecond },
};

type Recipient = Pick<Identity, 'id' | 'userId' | 'platformUserId' | 'dmChatId' | 'dmReachable' | 'locale'>;

/** How long a message keeps waiting through a platform outage before attempts count. */
export const TRANSIENT_PATIENCE_MS = 6 * 3_600_000;

const IDENTITY_SQL = `SELECT id, user_id AS "userId", platform_user_id AS "platformUserId", dm_chat_id AS "dmChatId",
  dm_reachable AS "dmReachable", locale FROM identities WHERE id = $1`;

// KEYS: key to set, key to delete. ARGV: value, TTL s. A part accepted (parts count set,
// "sending" cleared) or the message done ("sent" set, "sending" cleared): one command.
const SET_CLEAR = `redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2])) redis.call('DEL', KEYS[2]) return 1`;

type WithMarks = Redis & {
  ndSetClear(set: string, clear: string, value: string | number, ttlS: number): Promise<number>;
};

function withMarks(redis: Redis): WithMarks {
  const r = redis as WithMarks;
  if (typeof r.ndSetClear !== 'function')
    redis.defineCommand('ndSetClear', { numberOfKeys: 2, lua: SET_CLEAR });
  return r;
}

/** A token further away than this parks the job (delayed) instead of holding a worker slot. */
const MAX_HOLD_MS = 1_500;
const WEEK_S = 7 * 24 * 3600;

export interface DeliveryWorkerDeps {
  prisma: PrismaClient;
  /** The pool under `prisma`: the per-job identity read skips Prisma's query planning. */
  pool?: pg.Pool;
  hub: QueueHub;
  delivery: DeliveryService;
  sender: PlatformSender;
  logger: Logger;
  /** The bot token's budget, shared with the interactive bot (see pacerFor). */
  pacer?: SendPacer;
  /** Only used to build a private pacer when none is given (tests). */
  limits?: PacingLimits;
  concurrency?: number;
  /** First wait of a message through a platform outage (doubling, capped at 60 ×); tests shorten it. */
  outageBaseMs?: number;
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
  const marks = withMarks(redis);

  const park = async (job: Job<OutboundMessage>, token: string | undefined, waitMs: number) => {
    await job.moveToDelayed(Date.now() + Math.ceil(waitMs), token);
    throw new DelayedError();
  };

  /** The identity to send to: one indexed read (plain SQL when a pool is given, cheaper per job). */
  const readIdentity = async (id: string): Promise<Recipient | null> => {
    if (!deps.pool) return deps.prisma.identity.findUnique({ where: { id } });
    const { rows } = await deps.pool.query<Recipient>(IDENTITY_SQL, [id]);
    return rows[0] ?? null;
  };

  /** `which`: 0 = the message went out already (on any platform), 1 = an attempt died mid-send. */
  const stopped = async (msg: OutboundMessage, which: 0 | 1) => {
    if (which === 0) return { skipped: 'already sent' };
    // A previous attempt died between handing a part to the platform and hearing back
    // (kill -9, OOM). Telegram has no idempotency key, so we cannot ask; we count it as
    // sent: that window is far longer than the one between marking and writing the
    // request, so this turns most crash duplicates into nothing and loses a message only
    // when the process died in the sub-millisecond gap before the write.
    await redis.set(k.deliverySent(msg.dedupeKey), `${platform}?`, 'EX', WEEK_S);
    log.warn({ dedupeKey: msg.dedupeKey }, 'previous attempt ended mid-send; not sending again');
    return { skipped: 'ambiguous earlier attempt' };
  };

  const handle = async (job: Job<OutboundMessage>, token?: string) => {
    const msg = job.data;
    const sentKey = k.deliverySent(msg.dedupeKey);
    const sendingKey = k.deliverySending(msg.dedupeKey);
    const partsKey = k.deliveryParts(platform, msg.dedupeKey);
    const identity = await readIdentity(msg.identityId);
    if (!identity || identity.userId !== msg.userId || !identity.dmReachable) {
      // Nothing to fall back for when the message went out (or may have) already.
      const [sent, sending] = await redis.mget(sentKey, sendingKey);
      if (sent || sending) return stopped(msg, sending && !sent ? 1 : 0);
      return fallback(msg, identity ? 'identity unreachable' : 'identity gone');
    }
    // In a Telegram private chat the chat id is the user id; Discord paces globally only.
    const chat = identity.dmChatId ?? identity.platformUserId;
    const reply = localize(msg.content, resolveLocale(identity.locale));
    // "Sending" covers exactly the part in flight (set with its token, cleared when it is
    // accepted): a crash between parts resumes at the next one. The first token also checks
    // the flags below, in the same Redis step.
    const mark = { key: sendingKey, ttlS: WEEK_S };
    const grant = await pacer.acquire(chat, MAX_HOLD_MS, mark, {
      stop: [sentKey, sendingKey],
      read: partsKey,
    });
    if (!grant.ok && grant.scope === 'stop') return stopped(msg, grant.which);
    if (!grant.ok) return park(job, token, grant.waitMs);
    const fromPart = Number(grant.read || 0);
    // The request in flight's grant: dated by its answer in the pacer's logs (see settle).
    // The grant above is for the first request; every further one (a part, a DM-channel
    // open, a part resent on a fresh channel) takes its own token, right before it goes.
    let inFlight: Grant = grant;
    let granted = true;
    const nextToken = async () => {
      if (granted) return void (granted = false);
      await pacer.settle(inFlight); // the previous request was answered (no-op when settled)
      inFlight = await pacer.acquire(chat, Number.POSITIVE_INFINITY, mark);
    };
    const outcome = await deps.sender
      .send({ platformUserId: identity.platformUserId, dmChatId: identity.dmChatId }, reply, {
        fromPart,
        beforePart: nextToken,
        beforeRequest: nextToken,
        onPart: async (i) =>
          void (await Promise.all([
            pacer.settle(inFlight),
            marks.ndSetClear(partsKey, sendingKey, i + 1, WEEK_S),
          ])),
      })
      .catch(async (err: unknown) => {
        await pacer.settle(inFlight);
        throw err;
      });
    if (outcome.ok) {
      await marks.ndSetClear(sentKey, sendingKey, platform, WEEK_S);
      if (outcome.dmChatId && outcome.dmChatId !== identity.dmChatId)
        await identities.setDmChat(platform, identity.platformUserId, outcome.dmChatId);
      deps.onSent?.(msg, platform);
      return { sent: platform };
    }
    await pacer.settle(inFlight);
    // An answer from the platform, a refusal here, ends the ambiguity.
    await redis.del(sendingKey);
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
      case 'transient': {
        // A platform outage (connection refused, 5xx) is not this message's fault: 8 attempts
        // of exponential backoff end after about 2 minutes, and an offline alert would then
        // be recorded as undeliverable while the API was merely down. So, for a while, the
        // job waits (capped backoff, no attempt spent) and only then retries normally.
        if (Date.now() - job.timestamp < TRANSIENT_PATIENCE_MS) {
          const base = deps.outageBaseMs ?? 1_000;
          const waitMs = Math.min(
            60 * base,
            base * 2 ** Math.min(Math.max(0, (job.attemptsStarted ?? 1) - 1), 6),
          );
          // Debug only: the platform's reachability state logs the outage once (bots/telegram).
          log.debug({ platform, waitMs, detail: outcome.detail }, 'platform unavailable; message waits');
          return park(job, token, waitMs);
        }
        throw new Error(`transient: ${outcome.detail}`);
      }
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
    // the pacer's; these slots only keep enough sends in flight to use every token. One slot
    // per token a second: a slot holds its token's wait plus a round trip, and with a quarter
    // of that (the old default) a loaded host's slow round trips left tokens unused (deliver
    // bench at load 7.5: 1.145 × floor with 8 slots, 1.094 with 30).
    concurrency: deps.concurrency ?? Math.max(4, limits.perSecond),
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
