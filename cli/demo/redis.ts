// Redis for the demo: the configured one when it answers, else a private redis-server
// started from PATH on a free loopback port (data under .data/redis, stopped on exit).
// BullMQ needs a real Redis (Lua, streams, blocking reads), so there is no imitation.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import IORedis from 'ioredis';

export const REDIS_HOWTO = [
  'The demo needs Redis (BullMQ runs on it). Start one, or install redis-server and run the demo again:',
  '  Debian/Ubuntu:  sudo apt-get install redis-server',
  '  macOS:          brew install redis',
  '  Docker:         docker compose up -d redis',
  'The demo uses REDIS_URL when it answers, else starts its own redis-server from PATH.',
].join('\n');

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

/** True when a Redis at `url` answers PING within `timeoutMs` (one try, no reconnects). */
export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const redis = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** The first executable called `name` on PATH, or undefined. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface DemoRedis {
  url: string;
  /** True when we started redis-server ourselves. */
  private: boolean;
  stop(): Promise<void>;
}

/** A redis-server left running by a demo that was killed hard (SIGKILL) is stopped first. */
function stopStale(pidFile: string): void {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (pid > 0 && cmd.includes('redis-server')) process.kill(pid, 'SIGTERM');
  } catch {
    // no pid file, no such process, or not Linux: nothing to clean up
  }
}

async function startPrivate(binary: string, dir: string): Promise<DemoRedis> {
  fs.mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  stopStale(pidFile);
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--pidfile',
        pidFile,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--logfile',
        path.join(dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    const url = `redis://127.0.0.1:${port}`;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Never leave it behind, even when the demo exits without running stop().
    const kill = () => child.kill('SIGTERM');
    process.once('exit', kill);
    const deadline = Date.now() + 10_000;
    let up = false;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await redisAnswers(url, 500)) {
        up = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (up) {
      return {
        url,
        private: true,
        async stop() {
          process.removeListener('exit', kill);
          if (child.exitCode === null) {
            child.kill('SIGTERM');
            await exited;
          }
        },
      };
    }
    process.removeListener('exit', kill);
    child.kill('SIGKILL');
    await exited;
  }
  throw new RedisUnavailableError(
    `redis-server (${binary}) did not start; see ${path.join(dir, 'redis.log')}\n${REDIS_HOWTO}`,
  );
}

/** Redis for the demo, or RedisUnavailableError carrying the how-to. */
export async function demoRedis(opts: { url?: string; dataDir: string }): Promise<DemoRedis> {
  const url = opts.url ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(url)) return { url, private: false, stop: async () => {} };
  const binary = findOnPath('redis-server');
  if (!binary)
    throw new RedisUnavailableError(
      `No Redis answers at ${url} and redis-server is not on PATH.\n${REDIS_HOWTO}`,
    );
  return startPrivate(binary, path.join(opts.dataDir, 'redis'));
}
