// `nodedesk demo`: the whole product on the sandbox, with nothing configured. Every role
// runs for real (Prisma on PostgreSQL, BullMQ on Redis, grammY and discord.js clients);
// only the outside world is emulated: Telegram, Discord, OpenAI and a node network.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { parseConfig } from '../../core/config';
import { createDb, createPool } from '../../core/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../core/embedded-pg';
import { createLogger } from '../../core/logger';
import { migrate } from '../../core/migrate';
import { startRuntime, type Runtime } from '../runtime';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { startDiscordSandbox } from '../../sandbox/discord';
import { startOpenAISandbox } from '../../sandbox/openai';
import { startNetworkSandbox, startRealNetworksSandbox } from '../../sandbox/network';
import { DemoFleet, fleetShape, MinerAgents, seedFleetOwners, type DemoOwner } from '../../demo/fleet';
import { DemoNetworks, demoNetworkNodes, networkShape } from '../../demo/networks';
import { startConsole } from '../../demo/console/server';
import { DEMO_CAST, demoWallet } from '../../demo/cast';
import { demoRedis } from './redis';
import { lockDataDir } from './lock';

export interface DemoOptions {
  /** Console port on 127.0.0.1 (0 = any free port). */
  port: number;
  /** Where the embedded database, the private Redis and the log live. */
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunningDemo {
  url: string;
  runtime: Runtime;
  stop(): Promise<void>;
}

/** The demo's timing: short enough that a visitor sees an offline DM within a minute. */
export const DEMO_TIMING = {
  OFFLINE_GRACE_SECONDS: '20',
  ALERT_GROUP_WAIT_SECONDS: '5',
  POLL_INTERVAL_SECONDS: '5',
  ALERT_UPDATE_INTERVAL_SECONDS: '60',
  FLAP_THRESHOLD: '3',
  FLAP_WINDOW_SECONDS: '900',
  FLAP_STABLE_SECONDS: '300',
};

async function database(env: NodeJS.ProcessEnv, dataDir: string, tag: string) {
  if (env.DATABASE_URL) {
    // A real PostgreSQL: the demo keeps to a schema of its own and starts it afresh.
    const url = new URL(env.DATABASE_URL);
    const schema = `nodedesk_demo_${tag}`;
    url.searchParams.set('schema', schema);
    const drop = async () => {
      const pool = createPool(env.DATABASE_URL!, 1);
      try {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await pool.end();
      }
    };
    await drop();
    return { url: url.toString(), embedded: undefined, drop };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pglite') });
  // Each run starts from the same clean state (the emulators' chats start empty too);
  // the cluster itself is kept, because creating it is the slow part.
  const pool = createPool(embedded.url, 1);
  await pool.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  await pool.end();
  return { url: embedded.url, embedded, drop: undefined };
}

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const env = opts.env ?? process.env;
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const stops: Array<[string, () => Promise<unknown> | unknown]> = [];
  const stopAll = async () => {
    for (const [, stop] of stops.reverse())
      await Promise.resolve()
        .then(stop)
        .catch(() => {});
    stops.length = 0;
  };
  // How long each part took to start, in the log: the demo should be up within a minute.
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    phases[name] = Date.now() - mark;
    mark = Date.now();
  };
  try {
    stops.push(['lock', lockDataDir(dataDir)]);
    // Redis first: without one the demo cannot run, so say so before anything slow starts.
    const redis = await demoRedis({ ...(env.REDIS_URL ? { url: env.REDIS_URL } : {}), dataDir });
    stops.push(['redis', () => redis.stop()]);
    phase('redis');
    const tag = crypto.randomBytes(4).toString('hex');
    const prefix = `nodedesk-demo-${tag}`;
    const db = await database(env, dataDir, tag);
    if (db.embedded) {
      const e: EmbeddedPostgres = db.embedded;
      stops.push(['database', () => e.stop()]);
    }
    if (db.drop) stops.push(['demo-schema', db.drop]);
    phase('database');

    const tg = await startTelegramSandbox({ botUsername: 'nodedesk_demo_bot', botName: 'nodedesk (demo)' });
    stops.push(['telegram', () => tg.stop()]);
    const dc = await startDiscordSandbox({ botUsername: 'nodedesk', guild: { name: 'GPU Miners (demo)' } });
    stops.push(['discord', () => dc.stop()]);
    const ai = await startOpenAISandbox();
    stops.push(['openai', () => ai.stop()]);
    const net = await startNetworkSandbox();
    stops.push(['network', () => net.stop()]);
    // io.net, Nosana and Akash nodes of the fleet, on emulators of their public APIs.
    const real = await startRealNetworksSandbox();
    stops.push(['real-networks', () => real.stop()]);
    const shape = fleetShape(env.DEMO_FLEET);
    const netShape = networkShape(env.DEMO_NETWORKS);
    if ('error' in shape) throw new Error(shape.error);
    if ('error' in netShape) throw new Error(netShape.error);

    phase('emulators');
    const cast = DEMO_CAST;
    const staffGroup = tg.group(cast.telegramStaffChatId, {
      title: 'nodedesk staff (demo)',
      isForum: true,
      members: { [cast.telegramStaff.id]: 'administrator' },
    });
    tg.user(cast.telegramStaff.id, { firstName: cast.telegramStaff.name });
    tg.user(cast.telegramMiner.id, { firstName: cast.telegramMiner.name, languageCode: 'en' });
    dc.user(cast.discordMiner.id, { username: cast.discordMiner.name, locale: 'en-US' });
    dc.user(cast.discordStaff.id, { username: cast.discordStaff.name, roles: [dc.staffRoleId] });

    const fleetOwners: DemoOwner[] = [];
    const fleet = net.generateFleet({
      count: shape.nodes,
      seed: 'nodedesk-demo',
      ownerCount: cast.fleetOwners.length,
    });
    cast.fleetOwners.forEach((o, i) => {
      fleetOwners.push({ ...o, wallet: fleet.owners[i]! });
      if (o.platform === 'TELEGRAM')
        tg.user(Number(o.platformUserId), { firstName: o.name, languageCode: o.locale });
      else dc.user(o.platformUserId, { username: o.name, locale: o.locale === 'zh' ? 'zh-CN' : 'en-US' });
    });

    const webPort = await freePort();
    const config = parseConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      HTTP_PORT: String(webPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${webPort}`,
      LOG_LEVEL: env.LOG_LEVEL ?? 'info',
      ...tg.env(),
      TELEGRAM_STAFF_CHAT_ID: String(staffGroup.chatId),
      DISCORD_TOKEN: dc.token,
      DISCORD_APPLICATION_ID: dc.applicationId,
      DISCORD_GUILD_ID: dc.guildId,
      DISCORD_API_BASE: dc.apiBase,
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_MOD_CHANNEL_ID: dc.modChannelId,
      OPENAI_API_KEY: ai.apiKey,
      OPENAI_BASE_URL: ai.baseURL,
      ...real.env(),
      NODE_SOURCE: 'push,poll,simulator,ionet,nosana,akash',
      NODE_SOURCE_URL: net.baseUrl,
      ...(env.SIMULATOR_SHAPE ? { SIMULATOR_SHAPE: env.SIMULATOR_SHAPE } : {}),
      ...DEMO_TIMING,
    });
    // The terminal shows one line; everything the product logs goes to a file.
    const logFile = path.join(dataDir, 'demo.log');
    const logger = createLogger({
      level: config.LOG_LEVEL,
      secrets: [config.TELEGRAM_BOT_TOKEN!, config.DISCORD_TOKEN!],
      destination: pino.destination({ dest: logFile, sync: false, mkdir: true }),
    });
    stops.push(['log', () => logger.flush()]);

    const demoNets = new DemoNetworks(real, demoNetworkNodes(fleetOwners.length, netShape), netShape);
    // Migrations by our runner, then the demo users, before any role can see the network.
    phase('config');
    const setup = createDb(config.DATABASE_URL, { poolSize: 1 });
    try {
      await migrate(setup.pool, { schema: setup.schema });
      await seedFleetOwners(setup.prisma, fleetOwners, fleet, demoNets.nodes);
    } finally {
      await setup.close();
    }
    phase('migrate+seed');
    const runtime = await startRuntime({
      config,
      roles: ['bots', 'workers', 'web'],
      logger,
      host: '127.0.0.1',
    });
    stops.push(['runtime', () => runtime.stop()]);
    phase('roles');

    let notify = () => {};
    const demoFleet = new DemoFleet(net, fleet, fleetOwners, shape, () => notify());
    demoFleet.start();
    stops.push(['fleet', () => demoFleet.stop()]);
    demoNets.start();
    stops.push(['fleet-networks', () => demoNets.stop()]);
    const agents = new MinerAgents(
      `${config.PUBLIC_BASE_URL}/v1/heartbeats`,
      config.HEARTBEAT_INTERVAL_SECONDS * 1000,
      () => notify(),
    );
    agents.start();
    stops.push(['agents', () => agents.stop()]);

    const consoleServer = await startConsole({
      port: opts.port,
      tg,
      dc,
      staffGroup,
      cast,
      wallet: demoWallet(),
      fleet: demoFleet,
      agents,
      prisma: runtime.db.prisma,
      timing: {
        graceSeconds: config.OFFLINE_GRACE_SECONDS,
        groupWaitSeconds: config.ALERT_GROUP_WAIT_SECONDS,
      },
      logger: logger.child({ part: 'console' }),
    });
    notify = consoleServer.changed;
    stops.push(['console', () => consoleServer.close()]);
    if (!redis.private) {
      // A shared Redis keeps nothing of ours once the demo is over.
      stops.splice(stops.findIndex(([n]) => n === 'redis') + 1, 0, [
        'redis-keys',
        () => deleteKeys(redis.url, prefix),
      ]);
    }
    phase('console');
    logger.info(
      { phases, redis: redis.private ? 'private redis-server' : redis.url, embedded: !!db.embedded },
      'demo ready',
    );
    return { url: consoleServer.url, runtime, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const { default: IORedis } = await import('ioredis');
  const redis = new IORedis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as import('node:net').AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
