import type { EventEmitter } from 'node:events';

/**
 * Resolves with the first truthy value of `check`, re-evaluated whenever the emulator's
 * state changes (no polling, no sleeps). A throwing check rejects at once: it means the
 * awaited thing can no longer happen (e.g. the bot answered with a modal, not a reply).
 */
export function until<T>(
  events: EventEmitter,
  check: () => T | undefined | null | false,
  opts: { timeoutMs?: number; what: () => string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (fn: () => void) => {
      events.off('change', onChange);
      if (timer) clearTimeout(timer);
      fn();
    };
    const onChange = () => {
      try {
        const v = check();
        if (v !== undefined && v !== null && v !== false) done(() => resolve(v));
      } catch (err) {
        done(() => reject(err));
      }
    };
    events.on('change', onChange);
    timer = setTimeout(
      () =>
        done(() =>
          reject(
            new Error(
              `timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms waiting for ${opts.what()}`,
            ),
          ),
        ),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    onChange();
  });
}

export const DEFAULT_TIMEOUT_MS = 10_000;
