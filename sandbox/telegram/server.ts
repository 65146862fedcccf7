import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { BotApi } from './api';
import { readParams } from './body';
import { ApiError } from './errors';
import type { World } from './state';

/**
 * How the API is lost while the bot runs: `refuse` closes the port (open connections reset,
 * new ones refused, as when the host or its proxy is down); `silent` keeps accepting but
 * never answers nor acts (a network partition, a black-holing firewall).
 */
export type OutageMode = 'refuse' | 'silent';

/** Requests caught by a silent outage: never answered; their sockets reset on restore. */
const held = new WeakSet<http.ServerResponse>();

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed || held.has(res)) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const apiError = (code: number, description: string) => ({ ok: false, error_code: code, description });

export interface RunningServer {
  apiRoot: string;
  close(): Promise<void>;
  /**
   * Some Bot API deployments and proxies put the request URL in their error texts, which
   * carries the bot token. On, every error description ends with it, so tests can prove
   * the token never reaches a log line, a Redis key or a table.
   */
  echoUrlInErrors: boolean;
  /** Takes the API away (see OutageMode) until `restore()`, which brings it back on the same port. */
  outage(mode: OutageMode): Promise<void>;
  restore(): Promise<void>;
}

/** `/bot<token>/<method>` for the API and `/file/bot<token>/<path>` for downloads, on 127.0.0.1. */
export async function startServer(world: World, api: BotApi, token: string): Promise<RunningServer> {
  let down: OutageMode | null = null;
  let port = 0;
  /** Every socket (keep-alive ones too) and every request not answered yet. */
  const sockets = new Set<Socket>();
  const open = new Set<http.ServerResponse>();
  const unlisten = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  const running: RunningServer = {
    apiRoot: '',
    echoUrlInErrors: false,
    close: unlisten,
    async outage(mode) {
      if (down) throw new Error(`the sandbox API is already down (${down})`);
      down = mode;
      if (mode === 'refuse') await unlisten();
      else for (const res of open) held.add(res); // answers in flight are lost too
    },
    async restore() {
      const was = down;
      down = null;
      // The partition heals with the held connections reset, as their clients gave up.
      for (const res of open) if (held.has(res)) res.socket?.destroy();
      if (was === 'refuse')
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => (server.off('error', reject), resolve()));
        });
    },
  };
  const server = http.createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    if (down === 'silent') return void held.add(res); // never read, acted on or answered
    void handle(req, res).catch((err: unknown) => {
      // An emulator bug, not a Telegram behaviour: make it loud in the test output.
      console.error('[telegram sandbox] request failed:', err);
      sendJson(res, 500, apiError(500, `Internal Server Error: ${(err as Error).message}`));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (file) {
      const stored =
        file[1] === token ? [...world.files.values()].find((f) => f.filePath === file[2]) : undefined;
      if (!stored) return sendJson(res, 404, apiError(404, 'Not Found'));
      res.writeHead(200, {
        'content-type': stored.mimeType ?? 'application/octet-stream',
        'content-length': stored.bytes.length,
      });
      res.end(stored.bytes);
      return;
    }
    const call = /^\/bot([^/]*)\/([^/]*)\/?$/.exec(path);
    if (!call) return sendJson(res, 404, apiError(404, 'Not Found'));
    if (call[1] !== token) return sendJson(res, 401, apiError(401, 'Unauthorized'));

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let params;
    try {
      params = await readParams(req, url);
    } catch (err) {
      if (err instanceof ApiError) return sendJson(res, err.code, apiError(err.code, err.description));
      throw err;
    }
    const answer = await api.call(call[2] ?? '', params, abort.signal);
    const body = answer.body as { ok?: boolean; description?: string };
    if (running.echoUrlInErrors && body && body.ok === false)
      body.description = `${body.description ?? ''} (${req.method} http://${req.headers.host ?? '127.0.0.1'}${req.url})`;
    sendJson(res, answer.status, body);
  }

  // Long polls hold requests for up to `timeout` seconds and grammY reuses keep-alive
  // sockets: never let the server drop an idle socket the client is about to reuse.
  server.keepAliveTimeout = 120_000;
  server.requestTimeout = 0;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  running.apiRoot = `http://127.0.0.1:${port}`;
  return running;
}
