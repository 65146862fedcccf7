// Update-in → reply-out inside our process (benchmarks, metrics). The clock starts when an
// update reaches the adapter (Telegram: when getUpdates returned it, so time spent queued
// behind other updates counts) and stops when the adapter issues the first call carrying the
// answer — before the platform pacer and the REST client's queue, so waits for the
// platform's rate limits are not counted, while everything our process does is.
import type { ChatPlatform } from '../../core/conversation';

export type InputKind = 'command' | 'button' | 'modal' | 'text';
export type LatencyObserver = (platform: ChatPlatform, input: InputKind, ms: number) => void;

export class ReplyClock {
  private outAt: number | undefined;
  private ackAt: number | undefined;

  constructor(readonly startedAt = performance.now()) {}

  /** The answer leaves now (only the first call counts). */
  out(): void {
    this.outAt ??= performance.now();
  }

  /** An acknowledgement (a Telegram callback answer): the answer when nothing else follows. */
  ack(): void {
    this.ackAt ??= performance.now();
  }

  /** Reports the time to the answer; nothing when no answer left (group chatter, failures). */
  report(observe: LatencyObserver | undefined, platform: ChatPlatform, input: InputKind): void {
    const at = this.outAt ?? this.ackAt;
    if (observe && at !== undefined) observe(platform, input, at - this.startedAt);
  }
}
