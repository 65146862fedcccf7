// The first check of a heartbeat request, before Fastify builds a request, parses a body or
// runs a hook: while the ingest guard sheds unauthenticated callers, a POST without an
// Authorization header from a shed address (or any address while the whole process sheds)
// gets a short 429 and a closed connection straight from Node's HTTP server. A flood's
// requests then cost the server a header parse and a few hundred bytes each, so a good
// heartbeat waits behind very little. Requests with a bearer token, and everything else,
// go on to Fastify, whose onRequest hook (web/heartbeat.ts) makes the full decision.
// Earlier still, `connectionGate` closes a new connection from a shed address that sent no
// good heartbeat lately, or one beyond the few an unproven address may hold open, as soon
// as it is accepted: no parser, no answer, nothing read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { IngestGuard } from './ingest-guard';

/** Answers the request itself and returns true, or returns false to let Fastify handle it. */
export type RawGate = (req: IncomingMessage, res: ServerResponse) => boolean;
/** True when a just-accepted connection is to be closed before anything is read from it. */
export type ConnectionGate = (socket: Socket) => boolean;

const PATH = '/v1/heartbeats';

export function heartbeatGate(
  guard: IngestGuard,
  opts: {
    /**
     * Behind a trusted proxy the socket's address is the proxy's: only the process-wide
     * limit applies here, and per-address limits are left to the hook (which sees req.ip).
     */
    perAddress: boolean;
    onShed?: () => void;
    /**
     * Unauthenticated requests from an address that is itself shed are held here rather
     * than answered (an address shared with good agents is never cut at accept, so this is
     * where a flood from it is slowed down).
     */
    tarpit?: Tarpit;
  },
): RawGate {
  return (req, res) => {
    if (req.method !== 'POST' || req.headers.authorization !== undefined) return false;
    const url = req.url ?? '';
    if (url !== PATH && !url.startsWith(`${PATH}?`)) return false;
    const blocked = opts.perAddress
      ? guard.shedding(req.socket.remoteAddress ?? '')
      : guard.sheddingEveryone();
    // A flood's first wave comes before any failure is counted: while every slot for bodies
    // without credentials is taken, the rest wait outside here too, not in Fastify.
    const wait = blocked || (guard.anonymousFull() ? 1 : 0);
    if (!wait) return false;
    // Coming while told to wait: counts against the address (not when only the slots are
    // full, which a burst of good batch agents may hit too).
    const address = req.socket.remoteAddress ?? '';
    if (blocked && opts.perAddress) guard.refused(address);
    opts.onShed?.();
    if (
      blocked &&
      opts.perAddress &&
      opts.tarpit &&
      guard.addressShed(address) &&
      opts.tarpit.hold(req.socket)
    )
      return true;
    const message = blocked
      ? `Too many failed requests; retry after ${wait} s.`
      : 'Too many requests without credentials at once; retry in a second.';
    const body = JSON.stringify({ error: { code: 'rate_limited', message } });
    res.writeHead(429, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'retry-after': String(wait),
      connection: 'close',
    });
    // The body is never read: once the answer is out the socket goes, and the caller pays
    // for a new connection.
    res.once('finish', () => req.socket.destroySoon());
    res.end(body);
    return true;
  };
}

/** Connections held unread at once, and for how long (see Tarpit). */
export const HOLD_MAX = 1_024;
export const HOLD_MS = 10_000;

/**
 * Holds refused connections unread for `holdMs`, then resets them. A client that waits for
 * an answer before sending again, as flood tools do, is slowed to holdMax requests per
 * holdMs, where an answer or an immediate reset would invite it to send again at once; a
 * held connection costs us nothing meanwhile (paused: once its buffer is full, the kernel
 * stops reading). The cap keeps held sockets far below HTTP_MAX_CONNECTIONS, so they never
 * crowd out good agents; past it `hold` says no and the caller refuses at once.
 */
export class Tarpit {
  // In arrival order: one timer resets the oldest, not one timer per socket.
  private readonly held: Array<{ socket: Socket; until: number }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly holdMax = HOLD_MAX,
    private readonly holdMs = HOLD_MS,
  ) {}

  hold(socket: Socket): boolean {
    if (this.held.length >= this.holdMax || this.holdMs <= 0) return false;
    socket.pause();
    // Its own error or close (the client gave up) only ends it sooner.
    socket.on('error', () => socket.destroy());
    this.held.push({ socket, until: Date.now() + this.holdMs });
    this.timer ??= setTimeout(this.sweep, this.holdMs).unref();
    return true;
  }

  /** Resets every held connection now (shutdown: the server would wait for them). */
  release(): void {
    for (const h of this.held.splice(0)) h.socket.destroy();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private readonly sweep = () => {
    const t = Date.now();
    while (this.held.length && this.held[0]!.until <= t) this.held.shift()!.socket.destroy();
    this.timer = this.held.length
      ? setTimeout(this.sweep, Math.max(10, this.held[0]!.until - t)).unref()
      : null;
  };
}

/**
 * Per address only (behind a proxy every connection comes from the proxy). A flood's new
 * connection from a shed address, or beyond the few an unproven address may have open
 * (MAX_UNPROVEN_CONNECTIONS), costs an accept and a close, nothing more, which is what
 * lets good heartbeats through on the same event loop. It is held in the tarpit first when
 * there is room, and reset at once when not.
 */
export function connectionGate(
  guard: IngestGuard,
  opts: { onShed?: () => void; tarpit?: Tarpit } = {},
): ConnectionGate {
  return (socket) => {
    const address = socket.remoteAddress ?? '';
    const release = guard.refusesConnection(address) ? null : guard.openConnection(address);
    if (release) {
      socket.once('close', release);
      return false;
    }
    opts.onShed?.();
    if (!opts.tarpit?.hold(socket)) socket.destroy();
    return true;
  };
}
