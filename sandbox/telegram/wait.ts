import type { World } from './state';

/**
 * Resolves with the first truthy value of `check`, evaluated now and after every change
 * of the emulator's state (no polling). Rejects after `timeoutMs` with `describe()`, or
 * when the sandbox stops.
 */
export function waitUntil<T>(
  world: World,
  check: () => T | undefined | null | false,
  opts: { timeoutMs: number; describe: () => string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      world.off('change', onChange);
      world.off('stop', onStop);
    };
    const onChange = (): void => {
      let value: T | undefined | null | false;
      try {
        value = check();
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      if (value !== undefined && value !== null && value !== false) {
        cleanup();
        resolve(value);
      }
    };
    const onStop = (): void => {
      cleanup();
      reject(new Error(`telegram sandbox stopped while waiting for ${opts.describe()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.describe()}`));
    }, opts.timeoutMs);
    world.on('change', onChange);
    world.on('stop', onStop);
    onChange();
    if (!settled && world.stopped) onStop();
  });
}
