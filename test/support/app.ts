// Starts nodedesk in-process, exactly as `nodedesk start` does, against a fresh schema and
// queue prefix, with the given env (emulator URLs and tokens). For end-to-end tests.
import { parseConfig, type Config } from '../../core/config';
import { createLogger } from '../../core/logger';
import type { FeatureModule } from '../../core/feature';
import { startRuntime, type Role, type Runtime } from '../../cli/runtime';
import { createTestDatabase, type TestDatabase } from './db';
import { TEST_REDIS_URL } from './env';
import { deleteKeys, testPrefix } from './redis';

export interface TestApp {
  runtime: Runtime;
  config: Config;
  tdb: TestDatabase;
  prefix: string;
  /** Every log line written so far (JSON strings). */
  logs: string[];
  /** Stops the runtime (not the database): start() again for a restart. */
  stop(): Promise<void>;
  start(): Promise<Runtime>;
  /** Stops and drops everything. */
  destroy(): Promise<void>;
}

export async function startTestApp(
  env: Record<string, string | undefined>,
  opts: {
    roles?: Role[];
    tdb?: TestDatabase;
    prefix?: string;
    features?: FeatureModule[];
    /** Shrinks the app's own send pacing (cli/pacers.ts), to match an emulator's timeScale. */
    pacingTimeScale?: number;
  } = {},
): Promise<TestApp> {
  const tdb = opts.tdb ?? (await createTestDatabase());
  const prefix = opts.prefix ?? testPrefix();
  const config = parseConfig({
    DATABASE_URL: tdb.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const secrets = [config.TELEGRAM_BOT_TOKEN, config.DISCORD_TOKEN].filter((s): s is string => !!s);
  const logs: string[] = [];
  const logger = createLogger({
    level: process.env.TEST_LOG_LEVEL ?? 'info',
    secrets,
    destination: {
      write: (line: string) => {
        logs.push(line);
        if (process.env.TEST_LOG_LEVEL) process.stdout.write(line);
      },
    },
  });
  const roles = opts.roles ?? ['bots', 'workers', 'web'];
  let runtime: Runtime | null = null;
  const app: TestApp = {
    config,
    tdb,
    prefix,
    logs,
    get runtime() {
      if (!runtime) throw new Error('app not running');
      return runtime;
    },
    async start() {
      runtime = await startRuntime({
        config,
        roles,
        logger,
        host: '127.0.0.1',
        ...(opts.features ? { features: opts.features } : {}),
        ...(opts.pacingTimeScale ? { pacingTimeScale: opts.pacingTimeScale } : {}),
      });
      return runtime;
    },
    async stop() {
      await runtime?.stop();
      runtime = null;
    },
    async destroy() {
      await app.stop();
      await tdb.drop();
      await deleteKeys(prefix);
    },
  } as TestApp;
  await app.start();
  return app;
}
