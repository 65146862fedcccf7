// Flood: what a flood of unauthenticated heartbeat batches costs a real `nodedesk start
// --roles web` process, and what good heartbeats see meanwhile (issue 9, finding 1).
// Phases: quiet (good requests alone), flood (test/fixtures/flood.cjs from other loopback
// addresses), and the cost of one unauthenticated batch that is read whole.
// Figures are the server's own CPU (from /proc), its event-loop delay (the web role's
// ingest reports), and good requests' latency from this process. Knobs: BENCH_FLOOD_*.
// BENCH_FLOOD_PROF=<dir> writes the server's CPU profile there (--cpu-prof).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { hashToken } from '../../accounts/tokens';
import { reportsKey, type IngestReport } from '../../notifier/liveness/ingest-health';
import { BIN, cleanEnv, ROOT } from '../../test/support/cli';
import { TEST_REDIS_URL } from '../../test/support/env';
import { freePort } from '../../test/support/ports';
import { waitFor } from '../../test/support/wait';
import { Redis } from 'ioredis';
import { fmt, percentile, report, scratch } from './common';

const CONNECTIONS = Number(process.env.BENCH_FLOOD_CONNECTIONS ?? 300);
const SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 15);
/** Source addresses of the flood: 127.0.0.2 and on (the good agents use 127.0.0.1). */
const ADDRESSES = Number(process.env.BENCH_FLOOD_ADDRESSES ?? 1);
/** BENCH_FLOOD_FROM=127.0.0.1: the flood shares the good agents' address (a NAT). */
const FROM = process.env.BENCH_FLOOD_FROM ?? `127.0.0.2+${ADDRESSES}`;
/** The flood's CPU priority: 0 is ours, as if the attacker's CPU were ours. */
const NICE = Number(process.env.BENCH_FLOOD_NICE ?? 0);
const FLOOD = path.join(__dirname, '..', '..', 'test', 'fixtures', 'flood.cjs');

/** utime + stime of a process, in ms (Linux). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const load = () => os.loadavg()[0]!.toFixed(1);

/** Good heartbeats every `everyMs` on one keep-alive connection, each timed. */
function goodAgent(url: string, token: string, nodeId: string, everyMs: number) {
  const dispatcher = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
  const samples: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const t0 = performance.now();
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ node_id: nodeId, status: 'online' }),
        dispatcher,
      });
      await res.body.dump();
      if (res.statusCode !== 202) throw new Error(`good beat answered ${res.statusCode}`);
      samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { samples, stop: async () => ((on = false), await loop, await dispatcher.close()) };
}

function flood(
  url: string,
): Promise<{ statuses: Record<string, number>; requests: number; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const args = [FLOOD, url, String(CONNECTIONS), String(SECONDS), '1000', `from=${FROM}`];
    if (NICE) args.push(`nice=${NICE}`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood exit ${code}`)),
    );
  });
}

const randomBatch = () =>
  JSON.stringify({
    heartbeats: Array.from({ length: 1000 }, (_, i) => ({
      token: `ndk_${crypto.randomBytes(32).toString('base64url')}`,
      node_id: `x-${i}`,
      status: 'online',
    })),
  });

export async function benchFlood() {
  const { tdb, prefix, cleanup } = await scratch();
  const userId = crypto.randomUUID();
  await tdb.db.prisma.user.create({ data: { id: userId } });
  const tokens = ['bench-agent', 'bench-probe'].map((externalId) => ({
    externalId,
    token: `ndk_${crypto.randomBytes(32).toString('base64url')}`,
  }));
  await tdb.db.prisma.node.createMany({
    data: tokens.map((t) => ({ externalId: t.externalId, userId, tokenHash: hashToken(t.token) })),
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/v1/heartbeats`;
  const prof = process.env.BENCH_FLOOD_PROF;
  // Not spawnCli: --cpu-prof is not allowed in NODE_OPTIONS.
  const server = spawn(
    process.execPath,
    [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), BIN, 'start', '--roles', 'web'],
    {
      cwd: ROOT,
      env: cleanEnv({
        DATABASE_URL: tdb.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((r) => server.once('close', r));
  const redis = new Redis(TEST_REDIS_URL);
  const lags = async (since: number) =>
    Object.values(await redis.hgetall(reportsKey(prefix)))
      .flatMap((v) => JSON.parse(v) as IngestReport[])
      .filter((r) => r.at > since)
      .map((r) => r.lagMs);
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/livez`)).ok || null, {
      timeoutMs: 60_000,
      what: 'web role up',
    });
    const agent = goodAgent(url, tokens[0]!.token, tokens[0]!.externalId, 1_000);
    const probe = goodAgent(url, tokens[1]!.token, tokens[1]!.externalId, 100);
    const good = () => [...agent.samples, ...probe.samples];
    // The machine's own latency, apart from our server: a Redis PING from here, 10 a second.
    const pings: number[] = [];
    const pinger = setInterval(() => {
      const t0 = performance.now();
      void redis.ping().then(() => pings.push(performance.now() - t0));
    }, 100);
    const phase = async <T>(run: () => Promise<T>) => {
      const [n, p, cpu, t, at] = [
        good().length,
        pings.length,
        cpuMs(server.pid!),
        performance.now(),
        Date.now(),
      ];
      const out = await run();
      const ms = performance.now() - t;
      // The last report of the phase lands within a second of its end.
      await new Promise((r) => setTimeout(r, 1_100));
      const lag = (await lags(at)).sort((a, b) => a - b);
      const lat = good()
        .slice(n)
        .sort((a, b) => a - b);
      const ping = pings.slice(p).sort((a, b) => a - b);
      return { out, ms, cpu: cpuMs(server.pid!) - cpu, lag, lat, ping, load: load() };
    };
    await new Promise((r) => setTimeout(r, 3_000)); // warm-up: connections, JIT
    const quiet = await phase(() => new Promise((r) => setTimeout(r, 10_000)));
    const during = await phase(() => flood(url));
    await agent.stop();
    await probe.stop();
    clearInterval(pinger);

    // Open loop: new connections from the flood's (now shed) address as fast as they are
    // accepted, whatever the answer: what one cut connection costs.
    const CUTS = Number(process.env.BENCH_FLOOD_CUTS ?? 5_000);
    const from = FROM.split('+')[0]!;
    const cuts = await phase(async () => {
      let started = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (started++ < CUTS)
            await new Promise<void>((resolve) => {
              const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => {
                s.write('POST /v1/heartbeats HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}');
                s.destroy();
                resolve();
              });
              s.once('error', () => resolve());
            });
        }),
      );
    });
    // One unauthenticated batch read whole: from fresh addresses, paced under the global limit.
    const batches = Number(process.env.BENCH_FLOOD_BATCHES ?? 40);
    const read = await phase(async () => {
      const statuses: Record<number, number> = {};
      for (let i = 0; i < batches; i++) {
        const dispatcher = new Agent({ localAddress: `127.0.1.${i + 1}` });
        const res = await request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: randomBatch(),
          dispatcher,
        });
        await res.body.dump();
        await dispatcher.close();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        await new Promise((r) => setTimeout(r, 150));
      }
      return statuses;
    });
    const idleCpuPerS = quiet.cpu / (quiet.ms / 1000);
    const hostile = during.out.requests;
    const floodCpu = during.cpu - idleCpuPerS * (during.ms / 1000);
    const p99 = percentile(during.lat, 99);
    report(
      'Flood: unauthenticated batches against the web role',
      {
        flood: `${CONNECTIONS} connections, ${SECONDS} s, from ${FROM}, nice ${NICE}`,
        'hostile requests (per s)': `${fmt(hostile)} (${fmt(hostile / (during.ms / 1000))})`,
        'hostile statuses': JSON.stringify(during.out.statuses),
        'flood process CPU (s)': fmt(during.out.cpuSeconds, 2),
        'server CPU during flood (ms, idle rate removed)': fmt(floodCpu),
        'server CPU per 1,000 hostile requests (ms)': fmt((floodCpu / hostile) * 1000, 1),
        'server event-loop delay p99, per s: median / max (ms)': `${fmt(percentile(during.lag, 50))} / ${fmt(during.lag.at(-1) ?? NaN)}`,
        'quiet event-loop delay p99, per s: median / max (ms)': `${fmt(percentile(quiet.lag, 50))} / ${fmt(quiet.lag.at(-1) ?? NaN)}`,
        'good requests quiet: n, p50 / p99 (ms)': `${quiet.lat.length}, ${fmt(percentile(quiet.lat, 50), 1)} / ${fmt(percentile(quiet.lat, 99), 1)}  (load ${quiet.load})`,
        'good requests in flood: n, p50 / p99 / max (ms)': `${during.lat.length}, ${fmt(percentile(during.lat, 50), 1)} / ${fmt(p99, 1)} / ${fmt(during.lat.at(-1) ?? NaN, 1)}  (load ${during.load})`,
        'Redis PING from the bench, quiet / flood: p99 (ms)': `${fmt(percentile(quiet.ping, 99), 1)} / ${fmt(percentile(during.ping, 99), 1)}`,
        'one connection cut at accept (open loop)': `${fmt(((cuts.cpu - idleCpuPerS * (cuts.ms / 1000)) / CUTS) * 1000, 0)} µs CPU each (${fmt(CUTS)} in ${fmt(cuts.ms / 1000, 1)} s, load ${cuts.load})`,
        'one batch of 1,000 unknown tokens read whole': `${fmt((read.cpu - idleCpuPerS * (read.ms / 1000)) / batches, 1)} ms CPU each (${JSON.stringify(read.out)}, load ${read.load})`,
      },
      { ok: p99 < 250, target: 'good-request p99 < 250 ms during the flood' },
    );
    return { p99 };
  } finally {
    redis.disconnect();
    server.kill('SIGTERM');
    await exited;
    await cleanup();
  }
}

if (require.main === module)
  void benchFlood().then(
    () => process.exit(0),
    (e) => (console.error(e), process.exit(1)),
  );
