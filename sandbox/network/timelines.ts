// Scripted timelines over the real-network sandbox, for tests and the demo: each step runs
// after its delay from the start; `stop()` cancels what has not run yet.
import type { IonetStatus } from './ionet-api';
import type { RealNetwork, RealNetworksSandbox } from './real-networks';

export interface Step {
  afterMs: number;
  run: (net: RealNetworksSandbox) => void;
}

export interface Timeline {
  /** Resolves when the last step has run. */
  done: Promise<void>;
  stop(): void;
}

export function play(net: RealNetworksSandbox, steps: Step[]): Timeline {
  const timers: NodeJS.Timeout[] = [];
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const last = Math.max(0, ...steps.map((s) => s.afterMs));
  for (const s of steps) timers.push(setTimeout(() => s.run(net), s.afterMs));
  timers.push(setTimeout(() => finish(), last + 1));
  return { done, stop: () => (timers.forEach(clearTimeout), finish()) };
}

/** io.net device: up, down after `downAfterMs`, up again `downForMs` later. */
export const ionetUpDownUp = (id: string, downAfterMs: number, downForMs: number): Step[] => [
  { afterMs: 0, run: (n) => n.ionet.setStatus(id, 'up') },
  { afterMs: downAfterMs, run: (n) => n.ionet.setStatus(id, 'down') },
  { afterMs: downAfterMs + downForMs, run: (n) => n.ionet.setStatus(id, 'up') },
];

/** The device is relaunched, but the summary keeps saying `down` for `lagMs` (API lag). */
export const ionetApiLag = (id: string, atMs: number, lagMs: number): Step[] => [
  { afterMs: atMs, run: (n) => n.ionet.setStatus(id, 'up', { lagMs }) },
];

/** Toggles up/down every `everyMs`, `times` times. */
export const ionetFlapping = (id: string, everyMs: number, times: number): Step[] =>
  Array.from({ length: times }, (_, i) => ({
    afterMs: i * everyMs,
    run: (n: RealNetworksSandbox) => n.ionet.setStatus(id, i % 2 === 0 ? 'down' : 'up'),
  }));

/** Paused (maintenance) then blocked (the network's fake-GPU verdict). */
export const ionetPausedThenBlocked = (id: string, pauseAtMs: number, blockAtMs: number): Step[] => [
  { afterMs: pauseAtMs, run: (n) => n.ionet.setStatus(id, 'paused') },
  { afterMs: blockAtMs, run: (n) => n.ionet.setStatus(id, 'blocked' satisfies IonetStatus) },
];

/** The whole network API down (5xx, reset or HTML) from `atMs` for `forMs`. */
export const apiOutage = (
  network: RealNetwork,
  atMs: number,
  forMs: number,
  mode: '503' | 'reset' | 'html' = '503',
): Step[] => [
  { afterMs: atMs, run: (n) => n.outage(network, mode) },
  { afterMs: atMs + forMs, run: (n) => n.restore(network) },
];

/** `count` answers of 429 with a Retry-After. */
export const rateLimited = (network: RealNetwork, atMs: number, count: number, retryAfter = 2): Step[] => [
  { afterMs: atMs, run: (n) => n.failNext(network, 429, count, retryAfter) },
];

/** The io.net token expires at `atMs` (every call answers 401 from then on). */
export const tokenExpiry = (atMs: number): Step[] => [{ afterMs: atMs, run: (n) => n.expireIonetToken() }];

/** A Nosana host stops answering at `atMs`, and answers again `forMs` later. */
export const nosanaHostGone = (pubkey: string, atMs: number, forMs: number): Step[] => [
  { afterMs: atMs, run: (n) => n.nosana.add({ pubkey, answer: 'reset' }) },
  { afterMs: atMs + forMs, run: (n) => n.nosana.add({ pubkey, answer: 'ok' }) },
];

/** An Akash provider goes offline in Console's checks at `atMs`, online again `forMs` later. */
export const akashOffline = (owner: string, atMs: number, forMs: number): Step[] => [
  { afterMs: atMs, run: (n) => n.akash.setOnline(owner, false) },
  { afterMs: atMs + forMs, run: (n) => n.akash.setOnline(owner, true) },
];
