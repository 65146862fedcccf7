// The conversation port over both platforms, with delivery's outbound policy on every call:
// the platform's rate (Telegram 30/s, Discord 50/s) and Telegram's per-chat pace, shared
// through Redis by every process, then retries that honour `retry_after` (429) and back off
// on 5xx/network errors. Platform implementations (bots/<platform>/conversation.ts) only
// make the calls and throw what the platform said; `classify` turns that into a PortResult.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Attachment, Reply } from '../../core/reply';
import type {
  ChatPlatform,
  CloseThreadOptions,
  ConversationPort,
  MessageRef,
  OpenThreadSpec,
  PortResult,
  Target,
  ThreadRef,
} from '../../core/conversation';
import { keys } from '../../core/keys';
import { PLATFORM_LIMITS } from '../../notifier/delivery/worker';
import type { SendPacer } from '../../notifier/delivery/pacing';

export interface PlatformPort {
  platform: ChatPlatform;
  openThread(spec: OpenThreadSpec): Promise<ThreadRef>;
  post(target: Target, reply: Reply): Promise<MessageRef>;
  edit(ref: MessageRef, reply: Reply): Promise<MessageRef>;
  closeThread(ref: ThreadRef, opts: CloseThreadOptions): Promise<void>;
  sendFile(target: Target, file: Attachment, caption?: string): Promise<MessageRef>;
  /** The chat a call is paced by (Telegram: 1/s per private chat, 20/min per group). */
  chatOf(target: Target | MessageRef | ThreadRef | OpenThreadSpec): string;
  classify(err: unknown): Exclude<PortResult<never>, { ok: true }>;
}

type Failure = Exclude<PortResult<never>, { ok: true }>;
const MAX_ATTEMPTS = 5;
const MAX_WAIT_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PacedConversation implements ConversationPort {
  private readonly ports = new Map<ChatPlatform, PlatformPort>();
  private readonly global = new Map<ChatPlatform, RateLimiterRedis>();
  private readonly perChat: { dm: RateLimiterRedis; group: RateLimiterRedis };

  /**
   * `pacers`: the bot tokens' shared send budgets (notifier/delivery/pacing.ts); a platform
   * that has one is paced by it, with alert delivery and the interactive bot, instead of
   * the fixed-window limiters below.
   */
  constructor(
    ports: PlatformPort[],
    redis: Redis,
    prefix: string,
    private readonly pacers: Partial<Record<ChatPlatform, SendPacer>> = {},
  ) {
    const k = keys(prefix);
    for (const p of ports) {
      this.ports.set(p.platform, p);
      this.global.set(
        p.platform,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: k.portLimit(p.platform),
          points: PLATFORM_LIMITS[p.platform].perSecond,
          duration: 1,
        }),
      );
    }
    this.perChat = {
      dm: new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: k.portLimit('tg-dm'),
        points: 1,
        duration: 1,
      }),
      group: new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: k.portLimit('tg-group'),
        points: 20,
        duration: 60,
      }),
    };
  }

  private port(platform: ChatPlatform): PlatformPort {
    const p = this.ports.get(platform);
    if (!p) throw new Error(`${platform} is not configured`);
    return p;
  }

  private async take(limiter: RateLimiterRedis, key: string): Promise<void> {
    for (;;) {
      try {
        await limiter.consume(key, 1);
        return;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        await sleep(Math.min(MAX_WAIT_MS, Math.max(5, err.msBeforeNext)));
      }
    }
  }

  private async call<T>(
    platform: ChatPlatform,
    chat: string | null,
    work: (p: PlatformPort) => Promise<T>,
  ): Promise<PortResult<T>> {
    let port: PlatformPort;
    try {
      port = this.port(platform);
    } catch (err) {
      return { ok: false, kind: 'permanent', detail: (err as Error).message };
    }
    let last: Failure = { ok: false, kind: 'transient', detail: 'not tried' };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const pacer = this.pacers[platform];
      const grant = pacer ? await pacer.acquire(chat ?? undefined) : undefined;
      if (!pacer) {
        await this.take(this.global.get(platform)!, 'all');
        if (platform === 'TELEGRAM' && chat)
          await this.take(chat.startsWith('-') ? this.perChat.group : this.perChat.dm, chat);
      }
      try {
        return { ok: true, value: await work(port) };
      } catch (err) {
        last = port.classify(err);
        if (last.kind === 'rate_limited' && pacer)
          await pacer.penalize(last.retryAfterMs, 'unknown', chat ?? undefined);
        if (last.kind === 'rate_limited') await sleep(Math.min(MAX_WAIT_MS, last.retryAfterMs));
        else if (last.kind === 'transient') await sleep(Math.min(MAX_WAIT_MS, 200 * 2 ** attempt));
        else return last;
      } finally {
        // Dated by its answer in the pacer's logs (after a failure's retry wait, later errs on
        // the safe side); not awaited, settle never throws.
        if (grant) void pacer?.settle(grant);
      }
    }
    return last;
  }

  openThread(platform: ChatPlatform, spec: OpenThreadSpec): Promise<PortResult<ThreadRef>> {
    return this.call(platform, this.port(platform).chatOf(spec), (p) => p.openThread(spec));
  }

  post(target: Target, reply: Reply): Promise<PortResult<MessageRef>> {
    return this.call(target.platform, this.chat(target), (p) => p.post(target, reply));
  }

  edit(ref: MessageRef, reply: Reply): Promise<PortResult<MessageRef>> {
    return this.call(ref.platform, this.chat(ref), (p) => p.edit(ref, reply));
  }

  closeThread(ref: ThreadRef, opts: CloseThreadOptions = {}): Promise<PortResult<void>> {
    return this.call(ref.platform, null, (p) => p.closeThread(ref, opts));
  }

  sendFile(target: Target, file: Attachment, caption?: string): Promise<PortResult<MessageRef>> {
    return this.call(target.platform, this.chat(target), (p) => p.sendFile(target, file, caption));
  }

  private chat(t: Target | MessageRef): string | null {
    const p = this.ports.get(t.platform);
    return p ? p.chatOf(t) : null;
  }
}
