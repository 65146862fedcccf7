import type { SandboxState } from './state';
import type { SentMessage } from './types';
import { until } from './wait';

/**
 * "Next message" waits that never miss one: each key remembers the messages it already
 * returned, so a message that arrived before the test started waiting still counts.
 */
export class MessageCursor {
  private readonly taken = new Map<string, Set<string>>();

  constructor(private readonly state: SandboxState) {}

  next(
    key: string,
    channelId: () => string | undefined,
    timeoutMs: number | undefined,
    what: string,
    fromBot = true,
  ): Promise<SentMessage> {
    const taken = this.taken.get(key) ?? new Set<string>();
    this.taken.set(key, taken);
    return until(
      this.state.events,
      () => {
        const id = channelId();
        const ch = id ? this.state.channels.get(id) : undefined;
        const found = ch?.messageIds
          .map((m) => this.state.messages.get(m)!)
          .find(
            (m) => !taken.has(m.api.id) && !m.deleted && (!fromBot || m.api.author.id === this.state.bot.id),
          );
        if (!found) return undefined;
        taken.add(found.api.id);
        return this.state.view(found);
      },
      { timeoutMs, what: () => what },
    );
  }
}
