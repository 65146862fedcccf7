// pino logger. Secrets never reach the output: well-known fields are redacted by path,
// and the configured secret values (bot tokens, API keys) are scrubbed from every line,
// because a token can hide inside an error message or a URL (Telegram puts it in the path).
import pino, { type DestinationStream, type Logger } from 'pino';

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

/** A destination that replaces each secret with [REDACTED] before writing. */
export function scrubbingDestination(secrets: string[], inner: DestinationStream): DestinationStream {
  const list = secrets.filter((s) => s.length >= 6);
  if (list.length === 0) return inner;
  return {
    write(line: string) {
      let out = line;
      for (const s of list) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
      inner.write(out);
    },
  };
}

export interface LoggerOptions {
  level?: string;
  secrets?: string[];
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const inner = opts.destination ?? pino.destination({ fd: 1, sync: false });
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
