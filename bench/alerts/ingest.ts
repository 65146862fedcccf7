// Ingest: heartbeat batches over HTTP into a real `nodedesk start --roles web` process.
// Sustained node heartbeats per second and request latency percentiles.
import crypto from 'node:crypto';
import { Agent, request } from 'undici';
import { hashToken } from '../../accounts/tokens';
import { spawnCli } from '../../test/support/cli';
import { TEST_REDIS_URL } from '../../test/support/env';
import { freePort } from '../../test/support/ports';
import { waitFor } from '../../test/support/wait';
import { fmt, percentile, report, scratch } from './common';

const NODES = Number(process.env.BENCH_NODES ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WEB_PROCESSES = Number(process.env.BENCH_WEB_PROCESSES ?? 1);

export async function benchIngest() {
  const { tdb, prefix, cleanup } = await scratch();
  const userId = crypto.randomUUID();
  await tdb.db.prisma.user.create({ data: { id: userId } });
  const tokens: string[] = [];
  const rows = [];
  for (let i = 0; i < NODES; i++) {
    const token = `ndk_bench_${i}_${crypto.randomBytes(16).toString('base64url')}`;
    tokens.push(token);
    rows.push({ externalId: `bench-node-${i}`, userId, tokenHash: hashToken(token) });
  }
  for (let i = 0; i < rows.length; i += 5000)
    await tdb.db.prisma.node.createMany({ data: rows.slice(i, i + 5000) });

  const ports = await Promise.all(Array.from({ length: WEB_PROCESSES }, () => freePort()));
  const procs = ports.map((port) =>
    spawnCli(['start', '--roles', 'web'], {
      DATABASE_URL: tdb.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
    }),
  );
  const dispatcher = new Agent({ connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  try {
    for (const port of ports) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok || null, {
        timeoutMs: 30_000,
        what: 'web role up',
      });
    }
    const bodies: string[] = [];
    for (let i = 0; i < NODES; i += BATCH) {
      bodies.push(
        JSON.stringify({
          heartbeats: tokens
            .slice(i, i + BATCH)
            .map((token, j) => ({ token, node_id: `bench-node-${i + j}`, status: 'online' })),
        }),
      );
    }
    const send = async (n: number) => {
      const port = ports[n % ports.length]!;
      const t0 = performance.now();
      const res = await request(`http://127.0.0.1:${port}/v1/heartbeats`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[n % bodies.length]!,
        dispatcher,
      });
      const body = (await res.body.json()) as { accepted?: number };
      if (res.statusCode !== 202) throw new Error(`status ${res.statusCode}`);
      return { ms: performance.now() - t0, accepted: body.accepted ?? 0 };
    };
    // Warm-up: fills the token cache, as a running fleet would have it.
    for (let i = 0; i < bodies.length; i++) await send(i);

    const latencies: number[] = [];
    let accepted = 0;
    let seq = 0;
    const start = performance.now();
    const deadline = start + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) {
          const r = await send(seq++);
          latencies.push(r.ms);
          accepted += r.accepted;
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const rate = accepted / elapsed;
    const p99 = percentile(latencies, 99);
    report(
      'Ingest: heartbeat batches over HTTP',
      {
        'web processes': WEB_PROCESSES,
        'batch size / concurrency': `${BATCH} / ${CONCURRENCY}`,
        requests: fmt(latencies.length),
        'node heartbeats accepted': fmt(accepted),
        'heartbeats per second': fmt(rate),
        'latency p50 / p99 / max (ms)': `${fmt(percentile(latencies, 50), 1)} / ${fmt(p99, 1)} / ${fmt(latencies.at(-1)!, 1)}`,
      },
      { ok: rate >= 50_000 && p99 < 100, target: '≥ 50,000/s with p99 < 100 ms' },
    );
    return { rate, p99 };
  } finally {
    await dispatcher.close();
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.done));
    await cleanup();
  }
}

if (require.main === module)
  void benchIngest().then(
    () => process.exit(0),
    (e) => (console.error(e), process.exit(1)),
  );
