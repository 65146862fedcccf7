// What a test reads about one channel, thread or DM, and the summary of a bot-made thread.
import type { APIChannel, APIThreadChannel } from 'discord-api-types/v10';
import type { MessageCursor } from './cursor';
import type { SandboxState } from './state';
import type { SentMessage } from './types';

export interface ThreadInfo {
  id: string;
  name: string;
  type: 'public' | 'private';
  parentId: string;
  guildId: string;
  ownerId: string | undefined;
  archived: boolean;
  locked: boolean;
  invitable: boolean | undefined;
  /** User ids, the bot included. */
  members: string[];
  channel: APIThreadChannel;
}

/** Read and await the messages of one channel, thread or DM. */
export class ChannelHandle {
  constructor(
    private readonly state: SandboxState,
    private readonly cursor: MessageCursor,
    readonly id: string,
  ) {}

  info(): APIChannel | undefined {
    const ch = this.state.channel(this.id)?.channel;
    return ch ? structuredClone(ch) : undefined;
  }

  /** Visible messages, oldest first, as they are now (edits applied, deleted ones gone). */
  messages(): SentMessage[] {
    const ids = this.state.channels.get(this.id)?.messageIds ?? [];
    return ids.map((id) => this.state.view(this.state.messages.get(id)!));
  }

  /** The next message the bot posted here that no earlier nextMessage() returned. */
  nextMessage(opts: { timeoutMs?: number; fromBot?: boolean } = {}): Promise<SentMessage> {
    const fromBot = opts.fromBot ?? true;
    return this.cursor.next(
      `channel:${this.id}:${fromBot}`,
      () => this.id,
      opts.timeoutMs,
      `a ${fromBot ? 'bot ' : ''}message in channel ${this.id}`,
      fromBot,
    );
  }
}
