// One local server emulating the three real networks' public APIs, for tests and the demo:
//   io.net explorer under /ionet, Nosana node hosts under /nosana/{pubkey} and the Nosana
//   dashboard under /nosana-dashboard, the Akash Console API under /akash.
// `env()` gives the nodedesk variables pointing at it. Faults are per network: an outage
// (503, reset or an HTML page), the next N answers failing, a token that expires.
import Fastify from 'fastify';
import { akashRoutes, AkashStateStore } from './akash-api';
import { ionetRoutes, IonetState, type IonetLimit } from './ionet-api';
import { nosanaRoutes, NosanaStateStore } from './nosana-api';

export type RealNetwork = 'ionet' | 'nosana' | 'akash';
export type OutageMode = '503' | 'reset' | 'html';

export interface RealNetworksOptions {
  /** io.net limits enforced with 429; null = none. Default: the documented ones. */
  ionetLimits?: IonetLimit[] | null;
  /** io.net token required in the `Token` header; default none. */
  ionetToken?: string;
  /** The clock the io.net limits count on (a test may run simulated time). */
  clock?: () => number;
}

export interface RealRequest {
  network: RealNetwork;
  path: string;
  status: number;
  at: number;
}

const PREFIX: Record<RealNetwork, string[]> = {
  ionet: ['/ionet'],
  nosana: ['/nosana', '/nosana-dashboard'],
  akash: ['/akash'],
};

function networkOf(path: string): RealNetwork | null {
  if (path.startsWith('/ionet/')) return 'ionet';
  if (path.startsWith('/nosana')) return 'nosana';
  if (path.startsWith('/akash/')) return 'akash';
  return null;
}

export async function startRealNetworksSandbox(opts: RealNetworksOptions = {}) {
  const clock = opts.clock ?? Date.now;
  const ionet = new IonetState(clock);
  if (opts.ionetLimits !== undefined) ionet.limits = opts.ionetLimits;
  if (opts.ionetToken) ionet.token = opts.ionetToken;
  const nosana = new NosanaStateStore();
  const akash = new AkashStateStore();
  const outages = new Map<RealNetwork, OutageMode>();
  const failures = new Map<RealNetwork, Array<{ status: number; count: number; retryAfter?: number }>>();
  const log: RealRequest[] = [];

  const app = Fastify({ logger: false });
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    const network = networkOf(path);
    if (!network) return;
    const entry: RealRequest = { network, path, status: 0, at: clock() };
    log.push(entry);
    (req as unknown as { entry: RealRequest }).entry = entry;
    const outage = outages.get(network);
    if (outage === 'reset') {
      reply.hijack();
      req.raw.socket.destroy();
      return reply;
    }
    if (outage === 'html')
      return reply.code(200).type('text/html').send('<!DOCTYPE html><html><body>Maintenance</body></html>');
    if (outage === '503')
      return reply.code(503).type('text/html').send('<html><body>503 Service Unavailable</body></html>');
    const queue = failures.get(network) ?? [];
    const f = queue[0];
    if (f) {
      if (--f.count <= 0) queue.shift();
      if (f.retryAfter !== undefined) reply.header('retry-after', String(f.retryAfter));
      return reply.code(f.status).send({ detail: `injected HTTP ${f.status}` });
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const entry = (req as unknown as { entry?: RealRequest }).entry;
    if (entry) entry.status = reply.statusCode;
  });
  ionetRoutes(app, ionet, '/ionet');
  nosanaRoutes(app, nosana, '/nosana', '/nosana-dashboard');
  akashRoutes(app, akash, '/akash');
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    baseUrl,
    /** NODE_SOURCE and the base URLs for nodedesk, pointing here. */
    env: (networks: RealNetwork[] = ['ionet', 'nosana', 'akash']): Record<string, string> => ({
      NODE_SOURCE: ['push', ...networks].join(','),
      IONET_API_URL: `${baseUrl}/ionet`,
      NOSANA_NODE_URL_TEMPLATE: `${baseUrl}/nosana/{node}`,
      NOSANA_DASHBOARD_URL: `${baseUrl}/nosana-dashboard`,
      AKASH_CONSOLE_API_URL: `${baseUrl}/akash`,
      ...(ionet.token ? { IONET_API_TOKEN: ionet.token } : {}),
    }),
    ionet,
    nosana,
    akash,
    /** Until restore(): every answer of that network fails this way. */
    outage(network: RealNetwork, mode: OutageMode = '503') {
      outages.set(network, mode);
    },
    restore(network: RealNetwork) {
      outages.delete(network);
    },
    /** The next `count` answers of that network fail with `status` (429 with Retry-After…). */
    failNext(network: RealNetwork, status: number, count = 1, retryAfter?: number) {
      const q = failures.get(network) ?? [];
      q.push({ status, count, ...(retryAfter !== undefined ? { retryAfter } : {}) });
      failures.set(network, q);
    },
    /** The configured io.net token stops working (as a 21-day JWT does): every call gets 401. */
    expireIonetToken() {
      ionet.token = `expired-${Math.random().toString(36).slice(2)}`;
    },
    requests: (network?: RealNetwork) =>
      log.filter((r) => !network || r.network === network).map((r) => ({ ...r })),
    prefixes: PREFIX,
    stop: () => app.close(),
  };
}

export type RealNetworksSandbox = Awaited<ReturnType<typeof startRealNetworksSandbox>>;
