// Every Redis key nodedesk writes, built in one place (in the spirit of BullMQ's QueueKeys)
// so that a prefix shared by several instances or tests never collides and a reader can see
// the whole key space here. BullMQ's own keys live under `<prefix>:<queue>:*`.
export function keys(prefix: string) {
  return {
    /** A running dialogue (intake, Telegram form) of one identity: JSON, idle TTL. */
    dialogue: (identityId: string) => `${prefix}:dialogue:${identityId}`,
    /** Outbound port pacing, per platform and per chat (rate-limiter-flexible prefixes). */
    portLimit: (scope: string) => `${prefix}:rl:port:${scope}`,
    /** Rate-limiter-flexible key prefix for a named user limit (/link, /addnode). */
    rateLimit: (name: string) => `${prefix}:rl:${name}`,
  };
}

export type Keys = ReturnType<typeof keys>;
