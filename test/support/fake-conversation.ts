// An in-memory ConversationPort for domain tests of features: records every call and
// answers like a platform would (refs with increasing ids); failures can be queued per
// operation. End-to-end tests use the real ports against the sandboxes instead.
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
import type { Attachment, Reply } from '../../core/reply';

export type Op = 'openThread' | 'post' | 'edit' | 'closeThread' | 'sendFile';

export interface Call {
  op: Op;
  target?: Target;
  ref?: MessageRef | ThreadRef;
  spec?: OpenThreadSpec;
  reply?: Reply;
  file?: Attachment;
  caption?: string;
  opts?: CloseThreadOptions;
  result: PortResult<unknown>;
}

type Failure = Exclude<PortResult<never>, { ok: true }>;

/** Plain text of a reply, blocks joined by newlines (what a test asserts on). */
export function replyText(r: Reply | undefined): string {
  if (!r) return '';
  return r.blocks
    .map((b) => (b.kind === 'list' ? b.items.map((i) => `• ${i}`).join('\n') : b.text))
    .join('\n');
}

export class FakeConversation implements ConversationPort {
  readonly calls: Call[] = [];
  private next = 1000;
  private readonly failures: Array<{
    op: Op;
    match?: (c: Omit<Call, 'result'>) => boolean;
    result: Failure;
  }> = [];
  private readonly listeners = new Set<() => void>();
  /** Platform user ids whose DMs answer "blocked". */
  readonly blocked = new Set<string>();

  failNext(op: Op, result: Failure, match?: (c: Omit<Call, 'result'>) => boolean): void {
    this.failures.push({ op, result, ...(match ? { match } : {}) });
  }

  onCall(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private record<T>(call: Omit<Call, 'result'>, ok: () => T): PortResult<T> {
    const i = this.failures.findIndex((f) => f.op === call.op && (!f.match || f.match(call)));
    let result: PortResult<T>;
    if (i >= 0) result = this.failures.splice(i, 1)[0]!.result;
    else if (call.target?.kind === 'dm' && this.blocked.has(call.target.platformUserId))
      result = { ok: false, kind: 'blocked', detail: 'Forbidden: bot was blocked by the user' };
    else result = { ok: true, value: ok() };
    this.calls.push({ ...call, result });
    for (const l of this.listeners) l();
    return result;
  }

  private refFor(target: Target): MessageRef {
    const messageId = String(this.next++);
    switch (target.kind) {
      case 'dm':
        return { platform: target.platform, chatId: target.dmChatId ?? target.platformUserId, messageId };
      case 'channel':
        return { platform: target.platform, chatId: target.chatId, messageId };
      case 'thread':
        return { platform: target.platform, chatId: target.chatId, threadId: target.threadId, messageId };
      case 'interaction':
        return { platform: target.platform, chatId: 'interaction', messageId };
    }
  }

  async openThread(platform: ChatPlatform, spec: OpenThreadSpec): Promise<PortResult<ThreadRef>> {
    return this.record({ op: 'openThread', spec }, () => ({
      platform,
      chatId: spec.parentChatId,
      threadId: String(this.next++),
    }));
  }

  async post(target: Target, reply: Reply): Promise<PortResult<MessageRef>> {
    return this.record({ op: 'post', target, reply }, () => this.refFor(target));
  }

  async edit(ref: MessageRef, reply: Reply): Promise<PortResult<MessageRef>> {
    return this.record({ op: 'edit', ref, reply }, () => ref);
  }

  async closeThread(ref: ThreadRef, opts?: CloseThreadOptions): Promise<PortResult<void>> {
    return this.record({ op: 'closeThread', ref, ...(opts ? { opts } : {}) }, () => undefined);
  }

  async sendFile(target: Target, file: Attachment, caption?: string): Promise<PortResult<MessageRef>> {
    return this.record({ op: 'sendFile', target, file, ...(caption ? { caption } : {}) }, () =>
      this.refFor(target),
    );
  }

  /** Posts and files into one thread, in order. */
  inThread(threadId: string): Call[] {
    return this.calls.filter(
      (c) => c.result.ok && c.target?.kind === 'thread' && c.target.threadId === threadId,
    );
  }

  toUser(platformUserId: string): Call[] {
    return this.calls.filter(
      (c) => c.result.ok && c.target?.kind === 'dm' && c.target.platformUserId === platformUserId,
    );
  }
}
