// The product under benchmark, as production runs it: `nodedesk start` in a process of its
// own. The emulators then stay in the benchmark's process, so the time a request reaches a
// platform is read on a clock our own event loop does not stall (an in-process emulator
// stamps every request that arrived during one of our stalls at the stall's end, all at
// once, and answers 429s a real platform would not). `BENCH_INPROC=1` runs the product
// in the benchmark's process instead, to compare.
import { readFileSync } from 'node:fs';
import { createLogger } from '../../core/logger';
import { parseConfig } from '../../core/config';
import { QueueHub } from '../../core/queue';
import { startRuntime } from '../../cli/runtime';
import type { Role } from '../../cli/runtime';
import { spawnCli } from '../../test/support/cli';

export interface Product {
  /** Queues of the product's prefix, read from this process. */
  hub: QueueHub;
  /** CPU seconds (user + system) the product has used so far. */
  cpuSeconds(): number;
  where: 'own process' | 'bench process';
  stop(): Promise<void>;
}

export async function startProduct(env: Record<string, string>, roles: Role[]): Promise<Product> {
  if (process.env.BENCH_INPROC === '1') {
    const runtime = await startRuntime({
      config: parseConfig(env),
      roles,
      logger: createLogger({ level: 'warn' }),
    });
    return {
      hub: runtime.hub,
      cpuSeconds: () => {
        const c = process.cpuUsage();
        return (c.user + c.system) / 1e6;
      },
      where: 'bench process',
      stop: () => runtime.stop(),
    };
  }
  const child = spawnCli(['start', '--roles', roles.join(','), '--no-migrate'], {
    ...env,
    LOG_LEVEL: 'info',
  });
  // Ready once it says so; an early exit is a failed start, with its output.
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (child.output().stdout.includes('nodedesk started')) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void child.done.then((r) =>
      reject(new Error(`product exited at start (${r.code}): ${r.stderr}${r.stdout}`)),
    );
  });
  const hub = new QueueHub({ redisUrl: env.REDIS_URL!, prefix: env.QUEUE_PREFIX! });
  return {
    hub,
    cpuSeconds: () => {
      // /proc/<pid>/stat fields 14 and 15: user and system time in clock ticks (100 per s).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    where: 'own process',
    async stop() {
      await hub.close();
      child.kill('SIGTERM');
      await child.done;
    },
  };
}
