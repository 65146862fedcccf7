// The fleet's heartbeats for the alert benchmarks, on a thread of their own: in production
// they reach Redis through the web role (another process), so they must not take the
// event loop the delivery workers run on. Beats every node in `alive` every `everyMs`.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createRedis } from '../../core/queue';
import { LivenessStore } from '../../notifier/liveness/store';

interface Options {
  redisUrl: string;
  prefix: string;
  graceMs: number;
  everyMs: number;
}

export interface Beater {
  /** Replaces the set of nodes that beat, from the next batch of the running round on. */
  setAlive(ids: string[]): void;
  stop(): Promise<void>;
}

export function startBeater(opts: Options, alive: string[]): Beater {
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(__filename)});`, {
    eval: true,
    workerData: { ...opts, alive },
  });
  worker.on('error', (err) => console.error('beater failed', err));
  return {
    setAlive: (ids) => worker.postMessage(ids),
    async stop() {
      await worker.terminate();
    },
  };
}

async function run(opts: Options & { alive: string[] }) {
  const redis = createRedis(opts.redisUrl);
  const store = new LivenessStore(redis, opts.prefix, 'push');
  let alive = opts.alive;
  parentPort!.on('message', (ids: string[]) => (alive = ids));
  for (;;) {
    for (let i = 0; i < alive.length; i += 10_000)
      await store.beat(
        alive.slice(i, i + 10_000).map((nodeId) => ({ nodeId, at: Date.now() })),
        Date.now() - opts.graceMs,
      );
    await new Promise((r) => setTimeout(r, opts.everyMs));
  }
}

if (!isMainThread && (workerData as { alive?: unknown })?.alive)
  void run(workerData as Options & { alive: string[] });
