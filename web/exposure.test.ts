// Issue 9, finding 6: slow bodies are cut at the request deadline, and connections are capped.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { QueueHub } from '../core/queue';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { waitFor } from '../test/support/wait';
import { buildWebServer } from './server';

/** A client that sends the headers, then one body byte every `everyMs` (slowloris). */
function slowSocket(port: number, everyMs: number) {
  const socket = net.connect(port, '127.0.0.1');
  let closedAt: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write(
      'POST /v1/heartbeats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{',
    );
    timer = setInterval(() => socket.writable && socket.write(' '), everyMs);
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closedAt = Date.now();
    clearInterval(timer);
  });
  return { closedAt: () => closedAt, destroy: () => (clearInterval(timer), socket.destroy()) };
}

describe('web exposure: deadlines and connection cap', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  let hub: QueueHub;
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
    const plugin = async (a: FastifyInstance) => {
      a.post('/v1/heartbeats', async (_req, reply) => reply.code(202).send({ accepted: 0 }));
    };
    ({ app } = await buildWebServer({
      pool: tdb.db.pool,
      redis: hub.redis,
      requestTimeoutMs: 1_000,
      maxConnections: 40,
      plugins: [plugin],
    }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    await hub.close();
    await tdb.drop();
    await deleteKeys(prefix);
  });

  it('slow bodies are cut at the configured request timeout', async () => {
    const start = Date.now();
    const sockets = Array.from({ length: 30 }, () => slowSocket(port, 200));
    try {
      await waitFor(() => sockets.every((s) => s.closedAt() !== null) || null, {
        timeoutMs: 10_000,
        what: 'slow sockets cut',
      });
      const latest = Math.max(...sockets.map((s) => s.closedAt()!)) - start;
      // 1 s deadline, checked every 250 ms; some slack for a loaded machine.
      expect(latest).toBeLessThan(4_000);
      // Meanwhile and after, a normal request is served.
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(200);
    } finally {
      sockets.forEach((s) => s.destroy());
    }
  });

  it('connections beyond the cap are closed at once, and the server keeps serving', async () => {
    const held = Array.from({ length: 40 }, () => slowSocket(port, 100));
    try {
      const open = () =>
        new Promise<number>((resolve, reject) =>
          app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
        );
      await waitFor(async () => (await open()) >= 40 || null, { what: '40 connections open' });
      const extra = slowSocket(port, 100);
      await waitFor(() => extra.closedAt() !== null || null, { timeoutMs: 3_000, what: 'extra refused' });
      expect(held.filter((s) => s.closedAt() !== null).length).toBeLessThan(40);
    } finally {
      held.forEach((s) => s.destroy());
    }
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200 || null, {
      what: 'served again',
    });
  });
});
