// pino logger. Secrets never reach the output: well-known fields are redacted by path,
// and every line goes through the one scrub function (configured secret values and token
// shapes), because a token can hide inside an error message or a URL (Telegram puts it in the path).
import pino, { type DestinationStream, type Logger } from 'pino';
import { registerSecrets, scrub } from './scrub';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'secret',
  '*.secret',
  'heartbeatToken',
  '*.heartbeatToken',
];

/**
 * A destination that scrubs each line before writing (core/scrub.ts): the given secrets,
 * every secret registered in the process, and well-known token shapes.
 */
export function scrubbingDestination(secrets: string[], inner: DestinationStream): DestinationStream {
  registerSecrets(secrets);
  return {
    write(line: string) {
      inner.write(scrub(line));
    },
  };
}

export interface LoggerOptions {
  level?: string;
  secrets?: string[];
  destination?: DestinationStream;
  name?: string;
  /** Human-readable lines (pino-pretty); default: when stdout is a terminal. JSON otherwise. */
  pretty?: boolean;
}

/**
 * pino-pretty over `destination` (stdout by default), or undefined when it is not
 * installed (a production image without dev dependencies logs JSON).
 */
function prettyStream(destination: DestinationStream | undefined): DestinationStream | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const build = require('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
    return build({
      colorize: destination === undefined && !!process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
      destination: destination ?? 1,
      sync: true,
    });
  } catch {
    return undefined;
  }
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? (opts.destination === undefined && !!process.stdout.isTTY);
  // Lines are scrubbed before pino-pretty sees them, so pretty output is as clean as JSON.
  const inner =
    (pretty ? prettyStream(opts.destination) : undefined) ??
    opts.destination ??
    pino.destination({ fd: 1, sync: false });
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'nodedesk',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: { pid: process.pid },
    },
    scrubbingDestination(opts.secrets ?? [], inner),
  );
}
