// Delivery's Discord sender: REST only (no gateway), through @discordjs/rest, which
// queues by Discord's rate-limit headers. DM channels are opened once and cached.
import { DiscordAPIError, HTTPError, RateLimitError, REST } from '@discordjs/rest';
import { Routes, type RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type { PartProgress, PlatformSender, SendOutcome } from '../../notifier/delivery/sender';
import type { Reply } from '../../core/reply';
import { renderDiscord } from './render';

/** "Cannot send messages to this user": DMs closed or the bot blocked. */
const CANNOT_DM = 50007;

export function classifyDiscordError(err: unknown): SendOutcome {
  if (err instanceof RateLimitError)
    return { ok: false, kind: 'rate_limited', retryAfterMs: Math.max(100, err.retryAfter) };
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
    // No internal retries on 5xx: delivery owns retries and backoff.
    this.rest = new REST({ api: apiBase, retries: 0, timeout: 15_000 }).setToken(token);
  }

  private async dmChannel(userId: string): Promise<string> {
    const cached = this.dmChannels.get(userId);
    if (cached) return cached;
    const channel = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
      id: string;
    };
    this.dmChannels.set(userId, channel.id);
    return channel.id;
  }

  async send(
    to: { platformUserId: string; dmChatId: string | null },
    reply: Reply,
    progress?: PartProgress,
  ): Promise<SendOutcome> {
    let channelId: string;
    try {
      // A DM channel remembered on the identity saves one request per message.
      channelId = to.dmChatId ?? (await this.dmChannel(to.platformUserId));
    } catch (err) {
      return classifyDiscordError(err);
    }
    const outcome = await this.sendToChannel(channelId, reply, progress);
    return outcome.ok && !to.dmChatId ? { ok: true, dmChatId: channelId } : outcome;
  }

  async sendToChannel(channelId: string, reply: Reply, progress: PartProgress = {}): Promise<SendOutcome> {
    try {
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
        await this.rest.post(Routes.channelMessages(channelId), { body });
        await progress.onPart?.(i);
      }
      return { ok: true };
    } catch (err) {
      return classifyDiscordError(err);
    }
  }
}
