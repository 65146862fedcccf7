import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { connectionGate, heartbeatGate, Tarpit } from './heartbeat-gate';
import { IngestGuard } from './ingest-guard';
import { gated } from './server';
import { waitFor } from '../test/support/wait';

describe('heartbeat gate (before Fastify)', () => {
  let server: http.Server;
  let base: string;
  let guard: IngestGuard;
  let passed: string[];
  let shed: number;

  beforeEach(async () => {
    guard = new IngestGuard({ perIp: 2, global: 1_000, windowSeconds: 10, blockSeconds: 60 });
    passed = [];
    shed = 0;
    const gate = heartbeatGate(guard, { perAddress: true, onShed: () => void shed++ });
    server = http.createServer((req, res) => {
      if (gate(req, res)) return;
      passed.push(`${req.method} ${req.url} ${req.headers.authorization ? 'bearer' : 'anonymous'}`);
      req.resume();
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });

  it('a shed address without credentials gets 429 with Retry-After and a closed connection, its body unread', async () => {
    expect((await post('/v1/heartbeats')).status).toBe(200);
    guard.failed('127.0.0.1', 1_000); // 11 points: over the per-address limit
    const res = await post('/v1/heartbeats');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({
      error: { code: 'rate_limited', message: expect.stringMatching(/retry after 60 s/) },
    });
    expect(shed).toBe(1);
    expect(passed).toEqual(['POST /v1/heartbeats anonymous']);
  });

  it('while every slot for bodies without credentials is taken, the next one waits outside (429, retry in 1 s)', async () => {
    const slots = Array.from({ length: 4 }, () => guard.admitAnonymous()!);
    const res = await post('/v1/heartbeats');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await post('/v1/heartbeats', { authorization: 'Bearer ndk_x' })).status).toBe(200);
    slots[0]!();
    expect((await post('/v1/heartbeats')).status).toBe(200);
  });

  it('a bearer token, another path or another method always goes on to the full check', async () => {
    guard.failed('127.0.0.1', 1_000);
    expect((await post('/v1/heartbeats', { authorization: 'Bearer ndk_x' })).status).toBe(200);
    expect((await post('/v1/other')).status).toBe(200);
    expect((await fetch(`${base}/v1/heartbeats`)).status).toBe(200);
    expect(shed).toBe(0);
  });

  it('behind a trusted proxy only the process-wide limit applies here', async () => {
    const g = new IngestGuard({ perIp: 2, global: 15 });
    const gate = heartbeatGate(g, { perAddress: false });
    const proxied = http.createServer((req, res) => gate(req, res) || (req.resume(), res.end('{}')));
    await new Promise<void>((r) => proxied.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxied.address() as AddressInfo).port}/v1/heartbeats`;
    const send = async () => (await fetch(url, { method: 'POST', body: '{}' })).status;
    try {
      g.failed('127.0.0.1', 1_000); // the proxy's own address over its limit: no reason to shed everyone
      expect(await send()).toBe(200);
      g.failed('10.0.0.2', 1_000); // 22 points within a second: over the process-wide limit
      expect(await send()).toBe(429);
    } finally {
      proxied.closeAllConnections();
      await new Promise((r) => proxied.close(r));
    }
  });
});

describe('connection gate (before the HTTP server)', () => {
  let server: http.Server;
  let port: number;
  let guard: IngestGuard;
  let handled: string[];
  let cut: number;

  beforeEach(async () => {
    guard = new IngestGuard({
      perIp: 2,
      global: 1_000,
      windowSeconds: 10,
      blockSeconds: 60,
      maxUnprovenConnections: 2,
    });
    handled = [];
    cut = 0;
    const tarpit = new Tarpit(1, 300);
    const factory = gated(
      heartbeatGate(guard, { perAddress: true, tarpit }),
      connectionGate(guard, { onShed: () => void cut++, tarpit }),
    );
    server = factory(
      (req, res) => {
        handled.push(`${req.socket.remoteAddress} ${req.headers.authorization ? 'bearer' : 'anonymous'}`);
        req.resume();
        res.end('{}');
      },
      { keepAliveTimeout: 1_000 },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** A POST from a loopback source address of our choice; the status, or "cut". */
  async function post(from: string, headers: Record<string, string> = {}) {
    const dispatcher = new Agent({ localAddress: from });
    try {
      const res = await request(`http://127.0.0.1:${port}/v1/heartbeats`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"heartbeats":[]}',
        dispatcher,
      });
      await res.body.dump();
      return res.statusCode;
    } catch {
      return 'cut';
    } finally {
      await dispatcher.destroy();
    }
  }

  it('a shed address that sent no good heartbeat has its connections closed as they are accepted, nothing read', async () => {
    guard.failed('127.0.0.2', 1_000);
    expect(await post('127.0.0.2')).toBe('cut');
    expect(await post('127.0.0.2', { authorization: 'Bearer ndk_x' })).toBe('cut');
    expect(cut).toBe(2);
    // Another address is not touched.
    expect(await post('127.0.0.1')).toBe(200);
    expect(handled).toEqual(['127.0.0.1 anonymous']);
  });

  it('a cut connection is held unread for a while (a flood tool waits instead of reconnecting), at most holdMax of them', async () => {
    guard.failed('127.0.0.2', 1_000);
    const timed = async () => {
      const t0 = performance.now();
      return { status: await post('127.0.0.2'), ms: performance.now() - t0 };
    };
    const [a, b] = await Promise.all([timed(), timed()]);
    expect([a.status, b.status]).toEqual(['cut', 'cut']);
    const [quick, held] = [a, b].sort((x, y) => x.ms - y.ms);
    expect(quick!.ms).toBeLessThan(250);
    expect(held!.ms).toBeGreaterThanOrEqual(250);
    expect(handled).toEqual([]);
  });

  it('a shed address that sent good heartbeats (a NAT shared with an attacker) keeps the per-request check: bearer requests pass, others are held', async () => {
    guard.succeeded('127.0.0.3');
    guard.failed('127.0.0.3', 1_000);
    expect(await post('127.0.0.3', { authorization: 'Bearer ndk_x' })).toBe(200);
    const t0 = performance.now();
    const [a, b] = await Promise.all([post('127.0.0.3'), post('127.0.0.3')]);
    // One held unread until it is reset, the other answered at once: the tarpit holds one.
    expect([a, b].sort()).toEqual([429, 'cut'].sort());
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    expect(cut).toBe(0);
    expect(handled).toEqual(['127.0.0.3 bearer']);
  });

  it('an address that keeps coming while it is told to wait is soon cut at accept; one with good heartbeats never is', async () => {
    // Shedding everyone (a flood spread over many addresses): each address is only asked to wait.
    for (let i = 0; i < 100; i++) guard.failed(`10.0.${i}.1`, 1_000);
    guard.succeeded('127.0.0.5');
    for (let i = 0; i < 2; i++) {
      expect(await post('127.0.0.4')).toBe(429);
      expect(await post('127.0.0.5')).toBe(429);
    }
    // The third refusal puts 127.0.0.4 over its own limit: held, then cut at accept.
    expect(await post('127.0.0.4')).toBe('cut');
    expect(cut).toBe(0);
    expect(await post('127.0.0.4')).toBe('cut');
    expect(cut).toBe(1);
    expect(await post('127.0.0.5')).toBe(429);
    expect(await post('127.0.0.5', { authorization: 'Bearer ndk_x' })).toBe(200);
  });

  it('an address with no accepted heartbeat yet may hold only a few connections open (a first wave); a proven one any number', async () => {
    const open = (from: string) =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => resolve(s));
        s.once('error', reject);
      });
    const idle = [await open('127.0.0.6'), await open('127.0.0.6')];
    try {
      // Accepted in order: both are counted before the next connection arrives.
      expect(await post('127.0.0.6')).toBe('cut');
      expect(await post('127.0.0.7')).toBe(200);
      idle.pop()!.destroy();
      await waitFor(async () => (await post('127.0.0.6')) === 200 || null, { what: 'a slot again' });
      guard.succeeded('127.0.0.6');
      idle.push(await open('127.0.0.6'), await open('127.0.0.6'));
      expect(await post('127.0.0.6')).toBe(200);
    } finally {
      for (const s of idle) s.destroy();
    }
  });
});
