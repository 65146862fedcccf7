// The one function that takes secrets out of error texts before they are printed or
// stored: log lines, BullMQ job failures (failedReason, stacktrace in Redis), and every
// table column that keeps a reason (delivery_failures.reason, source health). Configured
// secret values are replaced wherever they appear, and well-known token shapes are masked
// even when nobody registered them (a Bot API error that echoes its request URL carries
// the bot token in the path).
const registered = new Set<string>();

/** Adds secret values (bot tokens, API keys) to scrub everywhere in this process. */
export function registerSecrets(values: Array<string | undefined | null>): void {
  for (const v of values) if (typeof v === 'string' && v.length >= 6) registered.add(v);
}

const PATTERNS: Array<[RegExp, string]> = [
  // Telegram bot tokens, in a Bot API path or bare.
  [/\/bot\d{3,}:[A-Za-z0-9_-]{10,}/g, '/bot[REDACTED]'],
  [/\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g, '[REDACTED]'],
  // Discord bot tokens.
  [/\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}\b/g, '[REDACTED]'],
  // Heartbeat tokens, OpenAI-style keys, bearer credentials.
  [/\bndk_[A-Za-z0-9_-]{8,}/g, 'ndk_[REDACTED]'],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-[REDACTED]'],
  [/(Bearer\s+)[^\s"',]+/gi, '$1[REDACTED]'],
  // Staff dashboard sign-in links (one-time, but valid for 10 minutes until used).
  [/(\/signin\/)[A-Za-z0-9_-]{16,}/g, '$1[REDACTED]'],
  // Passwords in connection URLs (redis://:pw@host, postgresql://user:pw@host).
  [/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):[^/\s@]+@/gi, '$1:[REDACTED]@'],
];

export function scrub(text: string): string;
export function scrub(text: string | undefined | null): string | undefined;
export function scrub(text: string | undefined | null): string | undefined {
  if (text === undefined || text === null) return undefined;
  let out = String(text);
  for (const s of registered) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out;
}

/** Scrubs an error in place (message and stack), keeping its class for `instanceof` checks. */
export function scrubError<E>(err: E): E {
  if (err instanceof Error) {
    err.message = scrub(err.message);
    if (err.stack) err.stack = scrub(err.stack);
    const d = (err as { description?: unknown }).description;
    if (typeof d === 'string') (err as { description?: string }).description = scrub(d);
  }
  return err;
}
