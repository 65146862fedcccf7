// Delivery's Discord sender: REST only (no gateway), through @discordjs/rest, which
// queues by Discord's rate-limit headers. DM channels are opened once and cached.
import { DiscordAPIError, HTTPError, RateLimitError, REST } from '@discordjs/rest';
import { Routes, type RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type { PartProgress, PlatformSender, SendOutcome } from '../../notifier/delivery/sender';
import type { Reply } from '../../core/reply';
import { renderDiscord } from './render';

/** "Cannot send messages to this user": DMs closed or the bot blocked. */
const CANNOT_DM = 50007;
/** "Unknown Channel": a remembered DM channel Discord no longer has. */
const UNKNOWN_CHANNEL = 10003;

const isStaleChannel = (err: unknown) =>
  err instanceof DiscordAPIError && (err.code === UNKNOWN_CHANNEL || err.status === 404);

export function classifyDiscordError(err: unknown): SendOutcome {
  if (err instanceof RateLimitError)
    return {
      ok: false,
      kind: 'rate_limited',
      retryAfterMs: Math.max(100, err.retryAfter),
      scope: err.global ? 'global' : 'chat',
    };
  if (err instanceof DiscordAPIError) {
    if (err.code === CANNOT_DM) return { ok: false, kind: 'blocked', detail: err.message };
    if (err.status >= 500) return { ok: false, kind: 'transient', detail: `${err.status} ${err.message}` };
    if (err.status === 429) return { ok: false, kind: 'rate_limited', retryAfterMs: 1000 };
    return { ok: false, kind: 'permanent', detail: `${err.status} ${err.code} ${err.message}` };
  }
  if (err instanceof HTTPError)
    return { ok: false, kind: 'transient', detail: `${err.status} ${err.message}` };
  return { ok: false, kind: 'transient', detail: (err as Error)?.message ?? String(err) };
}

export class DiscordSender implements PlatformSender {
  readonly platform = 'DISCORD' as const;
  private readonly rest: REST;
  private readonly dmChannels = new Map<string, string>();

  constructor(token: string, apiBase: string) {
    // No internal retries on 5xx, and 429s are thrown, not waited out: delivery owns
    // retries, backoff and the shared pacing (a global 429 pauses every process).
    this.rest = new REST({
      api: apiBase,
      retries: 0,
      timeout: 15_000,
      rejectOnRateLimit: () => true,
    }).setToken(token);
  }

  private async dmChannel(userId: string, progress: PartProgress, fresh = false): Promise<string> {
    const cached = fresh ? undefined : this.dmChannels.get(userId);
    if (cached) return cached;
    await progress.beforeRequest?.();
    const channel = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
      id: string;
    };
    this.dmChannels.set(userId, channel.id);
    return channel.id;
  }

  async send(
    to: { platformUserId: string; dmChatId: string | null },
    reply: Reply,
    progress: PartProgress = {},
  ): Promise<SendOutcome> {
    // Parts accepted so far, so a retry on a reopened channel does not repeat them.
    let next = progress.fromPart ?? 0;
    const tracked: PartProgress = {
      ...progress,
      onPart: async (i) => {
        next = i + 1;
        await progress.onPart?.(i);
      },
    };
    try {
      // A DM channel remembered on the identity saves one request per message.
      const channelId = to.dmChatId ?? (await this.dmChannel(to.platformUserId, progress));
      try {
        await this.sendParts(channelId, reply, tracked);
        return to.dmChatId ? { ok: true } : { ok: true, dmChatId: channelId };
      } catch (err) {
        if (!isStaleChannel(err)) throw err;
        // The channel is gone (404 / 10003): forget it and open a fresh one, once.
        this.dmChannels.delete(to.platformUserId);
        const fresh = await this.dmChannel(to.platformUserId, progress, true);
        await this.sendParts(fresh, reply, { ...tracked, fromPart: next });
        return { ok: true, dmChatId: fresh };
      }
    } catch (err) {
      return classifyDiscordError(err);
    }
  }

  async sendToChannel(channelId: string, reply: Reply, progress: PartProgress = {}): Promise<SendOutcome> {
    try {
      await this.sendParts(channelId, reply, progress);
      return { ok: true };
    } catch (err) {
      return classifyDiscordError(err);
    }
  }

  private async sendParts(channelId: string, reply: Reply, progress: PartProgress): Promise<void> {
    const parts = renderDiscord(reply);
    for (let i = progress.fromPart ?? 0; i < parts.length; i++) {
      const m = parts[i]!;
      const body: RESTPostAPIChannelMessageJSONBody = {
        content: m.content ?? '',
        allowed_mentions: { parse: [] },
        ...(m.components
          ? {
              components: m.components.map((c) =>
                'toJSON' in c ? c.toJSON() : c,
              ) as RESTPostAPIChannelMessageJSONBody['components'],
            }
          : {}),
      };
      await progress.beforePart?.(i);
      await this.rest.post(Routes.channelMessages(channelId), { body });
      await progress.onPart?.(i);
    }
  }
}
