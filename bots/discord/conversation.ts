// The conversation port on Discord's REST API: private threads with members, posts into a
// channel, thread or DM, edits in place, archive/lock, files. Paced and retried by
// bots/shared/port.ts; @discordjs/rest also queues by Discord's own rate-limit headers.
import { REST } from '@discordjs/rest';
import { ChannelType, Routes, type RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type {
  CloseThreadOptions,
  MessageRef,
  OpenThreadSpec,
  Target,
  ThreadRef,
} from '../../core/conversation';
import type { Attachment, Reply } from '../../core/reply';
import type { PlatformPort } from '../shared/port';
import { renderDiscord } from './render';
import { classifyDiscordError } from './sender';

export const DISCORD_THREAD_NAME_MAX = 100;
/** A week: a ticket thread stays open while the conversation is slow. */
const AUTO_ARCHIVE_MINUTES = 10_080;

type Body = RESTPostAPIChannelMessageJSONBody;

function bodyOf(m: ReturnType<typeof renderDiscord>[number]): Body {
  return {
    content: m.content ?? '',
    allowed_mentions: { parse: [] },
    components: (m.components ?? []).map((c) => ('toJSON' in c ? c.toJSON() : c)) as Body['components'],
  };
}

export class DiscordConversation implements PlatformPort {
  readonly platform = 'DISCORD' as const;
  private readonly dmChannels = new Map<string, string>();

  constructor(private readonly rest: REST) {}

  static fromToken(token: string, apiBase: string): DiscordConversation {
    // No internal retries on 5xx: the port owns retries and backoff.
    return new DiscordConversation(new REST({ api: apiBase, retries: 0, timeout: 15_000 }).setToken(token));
  }

  chatOf(t: Target | MessageRef | ThreadRef | OpenThreadSpec): string {
    if ('parentChatId' in t) return t.parentChatId;
    if ('kind' in t && t.kind === 'dm') return t.dmChatId ?? t.platformUserId;
    if ('kind' in t && t.kind === 'interaction') return '';
    return (t as { threadId?: string; chatId: string }).threadId ?? (t as { chatId: string }).chatId;
  }

  classify(err: unknown) {
    const out = classifyDiscordError(err);
    if (out.ok) return { ok: false as const, kind: 'transient' as const, detail: 'no error' };
    return out;
  }

  private async channelOf(target: Target): Promise<{ channelId: string; chatId: string; threadId?: string }> {
    switch (target.kind) {
      case 'dm': {
        let id = target.dmChatId ?? this.dmChannels.get(target.platformUserId);
        if (!id) {
          const ch = (await this.rest.post(Routes.userChannels(), {
            body: { recipient_id: target.platformUserId },
          })) as { id: string };
          id = ch.id;
          this.dmChannels.set(target.platformUserId, id);
        }
        return { channelId: id, chatId: id };
      }
      case 'channel':
        return { channelId: target.chatId, chatId: target.chatId };
      case 'thread':
        return { channelId: target.threadId, chatId: target.chatId, threadId: target.threadId };
      case 'interaction':
        throw new Error('interaction targets are answered by the adapter, not the port');
    }
  }

  async openThread(spec: OpenThreadSpec): Promise<ThreadRef> {
    const priv = spec.private ?? true;
    const thread = (await this.rest.post(Routes.threads(spec.parentChatId), {
      body: {
        name: spec.name.slice(0, DISCORD_THREAD_NAME_MAX),
        type: priv ? ChannelType.PrivateThread : ChannelType.PublicThread,
        auto_archive_duration: AUTO_ARCHIVE_MINUTES,
        ...(priv ? { invitable: false } : {}),
      },
    })) as { id: string };
    for (const userId of spec.memberPlatformUserIds ?? [])
      await this.rest.put(Routes.threadMembers(thread.id, userId));
    return { platform: 'DISCORD', chatId: spec.parentChatId, threadId: thread.id };
  }

  async post(target: Target, reply: Reply): Promise<MessageRef> {
    const where = await this.channelOf(target);
    const parts = renderDiscord(reply);
    let last: MessageRef | null = null;
    for (let i = 0; i < parts.length; i++) {
      const m = parts[i]!;
      const file = i === parts.length - 1 ? reply.attachment : undefined;
      const sent = (await this.rest.post(Routes.channelMessages(where.channelId), {
        body: bodyOf(m),
        ...(file ? { files: [{ name: file.name, data: file.data, contentType: file.contentType }] } : {}),
      })) as { id: string };
      last = this.ref(where, sent.id);
    }
    return last!;
  }

  async edit(ref: MessageRef, reply: Reply): Promise<MessageRef> {
    const [m] = renderDiscord(reply);
    await this.rest.patch(Routes.channelMessage(ref.threadId ?? ref.chatId, ref.messageId), {
      body: bodyOf(m!),
    });
    return ref;
  }

  async closeThread(ref: ThreadRef, opts: CloseThreadOptions): Promise<void> {
    await this.rest.patch(Routes.channel(ref.threadId), {
      body: {
        archived: opts.archive ?? true,
        ...(opts.lock ? { locked: true } : {}),
        ...(opts.rename ? { name: opts.rename.slice(0, DISCORD_THREAD_NAME_MAX) } : {}),
      },
    });
  }

  async sendFile(target: Target, file: Attachment, caption?: string): Promise<MessageRef> {
    const where = await this.channelOf(target);
    const sent = (await this.rest.post(Routes.channelMessages(where.channelId), {
      body: { content: caption?.slice(0, 2000) ?? '', allowed_mentions: { parse: [] } },
      files: [{ name: file.name, data: file.data, contentType: file.contentType }],
    })) as { id: string };
    return this.ref(where, sent.id);
  }

  private ref(where: { chatId: string; threadId?: string }, messageId: string): MessageRef {
    return {
      platform: 'DISCORD',
      chatId: where.chatId,
      ...(where.threadId ? { threadId: where.threadId } : {}),
      messageId,
    };
  }
}
