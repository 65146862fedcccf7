import type { Logger } from './logger';

/**
 * SIGTERM/SIGINT run `stop` once (in-flight jobs finish, connections close) and exit 0;
 * a second signal exits at once for an operator who does not want to wait.
 */
export function exitGracefullyOnSignals(stop: () => Promise<void>, logger?: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger?.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger?.info({ signal }, 'shutting down');
    stop().then(
      () => {
        logger?.flush?.();
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
