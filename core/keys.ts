// Every Redis key nodedesk writes, built in one place (in the spirit of BullMQ's QueueKeys)
// so that a prefix shared by several instances or tests never collides and a reader sees
// the whole key space here. BullMQ's own keys live under `<prefix>:<queue>:*`.
export function keys(prefix: string) {
  return {
    // Liveness (notifier/liveness/store.ts): last-seen sorted sets per source, and the
    // transitions stream every source feeds.
    livenessLive: (source: string) => `${prefix}:liveness:${source}:live`,
    livenessDown: (source: string) => `${prefix}:liveness:${source}:down`,
    livenessEvents: () => `${prefix}:liveness:events`,
    /** A network source's health (notifier/liveness/source-health.ts). */
    sourceHealth: (source: string) => `${prefix}:source:${source}:health`,
    /** Unused since the network view (notifier/network-view.ts) replaced the poll view. */
    pollView: () => `${prefix}:poll:view`,
    /** GPU inventory from heartbeats (notifier/gpu-inventory.ts). */
    gpus: () => `${prefix}:gpus`,
    /** Heartbeat token hash → node cache (accounts/token-index.ts). */
    tokens: () => `${prefix}:tokens`,
    /** Lock held by the one process rebuilding the token index after Redis lost it. */
    tokensRebuild: () => `${prefix}:tokens:rebuild`,
    // Delivery (notifier/delivery/worker.ts): at-most-once markers, per-chat gap, parts sent.
    deliverySent: (dedupeKey: string) => `${prefix}:sent:${dedupeKey}`,
    deliverySending: (dedupeKey: string) => `${prefix}:sending:${dedupeKey}`,
    deliveryChatGap: (platform: string, platformUserId: string) =>
      `${prefix}:chatgap:${platform}:${platformUserId}`,
    deliveryParts: (platform: string, dedupeKey: string) => `${prefix}:parts:${platform}:${dedupeKey}`,
    /** A running dialogue (intake, Telegram form) of one identity: JSON, idle TTL. */
    dialogue: (identityId: string) => `${prefix}:dialogue:${identityId}`,
    /** Outbound port pacing, per platform and per chat (rate-limiter-flexible prefixes). */
    portLimit: (scope: string) => `${prefix}:rl:port:${scope}`,
    /** Rate-limiter-flexible key prefix for a named user limit (/link, /addnode). */
    rateLimit: (name: string) => `${prefix}:rl:${name}`,
    // Network sources (notifier/sources, notifier/network-view.ts).
    /** What each network last said about each node: node id → JSON (notifier/network-view.ts). */
    networkView: () => `${prefix}:netview`,
    /** A network source's device queues and state memory (scheduler.ts): hot, cold, last. */
    netsrcScheduler: (network: string, part: 'hot' | 'cold' | 'last') =>
      `${prefix}:netsrc:${network}:${part}`,
    /** Pending downs per node ("since polls"), for the two-poll debounce (sink.ts). */
    netsrcDebounce: (source: string) => `${prefix}:netsrc:${source}:debounce`,
    /** Request budget logs per credential and limit, and the 429 block (budget.ts). */
    budgetLog: (credential: string, limit: string) => `${prefix}:budget:${credential}:${limit}`,
    budgetBlocked: (credential: string) => `${prefix}:budget:${credential}:blocked`,
    /** Pending device-name ownership challenges of one device: code hash → "userId expiresAt". */
    nodeClaim: (deviceId: string) => `${prefix}:nodeclaim:${deviceId}`,
    /** Staff dashboard: a one-time sign-in link and a session, both by the SHA-256 of the secret. */
    dashboardLink: (hash: string) => `${prefix}:dash:link:${hash}`,
    dashboardSession: (hash: string) => `${prefix}:dash:session:${hash}`,
    /** 429s answered by a platform, per hour (a hash of platform → count), for the fleet page. */
    dashboard429: (hour: number) => `${prefix}:dash:429:${hour}`,
    /** The outcome of a session's last action, shown once on the next page. */
    dashboardFlash: (hash: string) => `${prefix}:dash:flash:${hash}`,
  };
}

export type Keys = ReturnType<typeof keys>;
