// Ordered shutdown: resources register a stop function as they start, and stop runs
// them newest first (bots stop taking input before workers drain, before connections close).
import type { Logger } from './logger';

type Stopper = { name: string; stop: () => Promise<unknown> | unknown };

export class Lifecycle {
  private readonly stoppers: Stopper[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly logger?: Logger) {}

  onStop(name: string, stop: Stopper['stop']): void {
    this.stoppers.push({ name, stop });
  }

  stop(timeoutMs = 25_000): Promise<void> {
    this.stopping ??= (async () => {
      for (const s of [...this.stoppers].reverse()) {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            Promise.resolve().then(s.stop),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`did not stop within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          this.logger?.debug({ part: s.name }, 'stopped');
        } catch (err) {
          this.logger?.warn({ part: s.name, err: { message: (err as Error).message } }, 'stop failed');
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    return this.stopping;
  }
}
