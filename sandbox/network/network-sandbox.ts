// A local DePIN network node API (the reference network API, see notifier/sources/poller.ts), for the `poll` node
// source in tests, benchmarks and the demo: `NODE_SOURCE_URL=<sandbox.baseUrl>`.
//
//   GET /nodes?cursor=C&limit=N  → {"nodes":[...], "next_cursor": string|null}
//   GET /nodes/:id               → the node, or 404
//
// Errors are JSON `{"error": code, "message": text}`. The control methods change the
// fleet and inject failures while a poller is running against it.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { generateFleet, type GeneratedFleet, type GenerateFleetOptions } from './fleet';
import { decodeCursor, encodeCursor, InvalidCursorError, NodeStore } from './node-store';
import type { NetworkNode, NodesPage, NodeStatus } from './types';

export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 1000;

export interface NetworkSandboxOptions {
  /** When set, requests need `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
  latencyMs?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: Record<string, string>;
  /** 0 when the connection was reset instead of answered. */
  status: number;
  at: Date;
}

export interface NetworkFailure {
  status: number;
  /** How many consecutive requests fail; default 1. */
  count?: number;
  /** Seconds, sent as `Retry-After` (useful with 429). */
  retryAfter?: number;
}

export interface NetworkSandbox {
  /** `http://127.0.0.1:PORT`, the value for NODE_SOURCE_URL. */
  baseUrl: string;
  upsertNode(node: Partial<NetworkNode> & { id: string }): NetworkNode;
  /** Online without `lastSeen` means "heard from now"; offline keeps the last time it was. */
  setStatus(id: string, status: NodeStatus, lastSeen?: Date): NetworkNode;
  removeNode(id: string): boolean;
  node(id: string): NetworkNode | undefined;
  /** Every node, in paging order. */
  nodes(): NetworkNode[];
  /** Generates a fleet (fleet.ts) and adds all of it. */
  generateFleet(opts: GenerateFleetOptions): GeneratedFleet;
  failNext(failure: NetworkFailure): void;
  /** Until up(): every request gets 503, or its connection reset with `{ reset: true }`. */
  down(opts?: { reset?: boolean }): void;
  up(): void;
  setLatency(ms: number): void;
  requests(): RecordedRequest[];
  stop(): Promise<void>;
}

const jsonError = (reply: FastifyReply, status: number, error: string, message: string) =>
  reply.code(status).send({ error, message });

export async function startNetworkSandbox(opts: NetworkSandboxOptions = {}): Promise<NetworkSandbox> {
  const store = new NodeStore();
  let latencyMs = opts.latencyMs ?? 0;
  let downMode: 'none' | 'error' | 'reset' = 'none';
  const failures: NetworkFailure[] = [];
  const log: RecordedRequest[] = [];
  const entries = new WeakMap<FastifyRequest, RecordedRequest>();

  const app = Fastify({ logger: false });

  app.addHook('onRequest', async (req, reply) => {
    const url = new URL(req.url, 'http://sandbox');
    const entry: RecordedRequest = {
      method: req.method,
      url: req.url,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: new Date(),
    };
    log.push(entry);
    entries.set(req, entry);

    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (downMode === 'reset') {
      // An abrupt close, as from a crashed upstream or a dropping load balancer.
      reply.hijack();
      req.raw.socket.destroy();
      return reply;
    }
    if (downMode === 'error') return jsonError(reply, 503, 'unavailable', 'the network API is down');
    const failure = failures[0];
    if (failure) {
      if ((failure.count ?? 1) <= 1) failures.shift();
      else failure.count = (failure.count ?? 1) - 1;
      if (failure.retryAfter !== undefined) reply.header('retry-after', String(failure.retryAfter));
      return jsonError(reply, failure.status, 'injected_failure', `injected HTTP ${failure.status}`);
    }
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return jsonError(reply, 401, 'unauthorized', 'missing or wrong API key');
    }
  });
  app.addHook('onResponse', async (req, reply) => {
    const entry = entries.get(req);
    if (entry) entry.status = reply.statusCode;
  });
  app.setNotFoundHandler((req, reply) =>
    jsonError(reply, 404, 'not_found', `no route ${req.method} ${req.url}`),
  );

  app.get<{ Querystring: { cursor?: string; limit?: string } }>('/nodes', async (req, reply) => {
    const { cursor, limit: rawLimit } = req.query;
    let limit = DEFAULT_PAGE_LIMIT;
    if (rawLimit !== undefined) {
      limit = /^\d+$/.test(rawLimit) ? Number(rawLimit) : NaN;
      if (!(limit >= 1 && limit <= MAX_PAGE_LIMIT)) {
        return jsonError(reply, 400, 'invalid_limit', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
      }
    }
    let after = 0;
    if (cursor) {
      try {
        after = decodeCursor(cursor);
      } catch (err) {
        if (err instanceof InvalidCursorError) return jsonError(reply, 400, 'invalid_cursor', err.message);
        throw err;
      }
    }
    const page = store.page(after, limit);
    const body: NodesPage = {
      nodes: page.nodes,
      next_cursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter),
    };
    return body;
  });

  app.get<{ Params: { id: string } }>('/nodes/:id', async (req, reply) => {
    const node = store.get(req.params.id);
    return node ?? jsonError(reply, 404, 'not_found', `no node with id ${req.params.id}`);
  });

  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    baseUrl,
    upsertNode: (node) => store.upsert(node),
    setStatus: (id, status, lastSeen) => store.setStatus(id, status, lastSeen),
    removeNode: (id) => store.remove(id),
    node: (id) => store.get(id),
    nodes: () => store.all(),
    generateFleet: (fleetOpts) => {
      const fleet = generateFleet(fleetOpts);
      for (const node of fleet.nodes) store.upsert(node);
      return fleet;
    },
    failNext: (failure) => {
      failures.push({ ...failure });
    },
    down: (downOpts) => {
      downMode = downOpts?.reset ? 'reset' : 'error';
    },
    up: () => {
      downMode = 'none';
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    requests: () => log.map((e) => ({ ...e, query: { ...e.query } })),
    stop: () => app.close(),
  };
}
