// Wires the roles of one process. Each role only starts what it needs; all share the
// config, logger, database and queue hub, and stop in reverse order on SIGTERM.
import type { FastifyInstance } from 'fastify';
import { secretsOf, type Config } from '../core/config';
import { registerSecrets } from '../core/scrub';
import { createDb, type Db } from '../core/db';
import { Lifecycle } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import { QueueHub } from '../core/queue';
import { startBots } from '../bots/start';
import { startWeb } from '../web/start';
import { startWorkers } from './workers';
import { pacerFactory } from './pacers';
import type { NotifierEngine } from '../notifier/engine';
import { composeServices, type AppServices } from './compose';
import type { FeatureModule } from '../core/feature';
import { seedKnowledgeBase } from '../assistant/compose';
import type { LatencyObserver } from '../bots/shared/latency';

export const ROLES = ['bots', 'workers', 'web'] as const;
export type Role = (typeof ROLES)[number];

export function parseRoles(value: string | undefined): Role[] {
  if (!value || value.trim() === '') return [...ROLES];
  const list = value.split(',').map((s) => s.trim().toLowerCase());
  const bad = list.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length)
    throw new Error(`Unknown role(s): ${bad.join(', ')}. Use a comma list of ${ROLES.join(', ')}.`);
  return [...new Set(list)] as Role[];
}

export interface Runtime {
  config: Config;
  logger: Logger;
  db: Db;
  hub: QueueHub;
  lifecycle: Lifecycle;
  app: AppServices;
  web?: FastifyInstance;
  notifier?: NotifierEngine;
  /** Port the web role listens on (useful when HTTP_PORT=0). */
  port?: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  roles: Role[];
  logger: Logger;
  host?: string;
  /** Extra feature modules beside the built-in ones (tests' toy features). */
  features?: FeatureModule[];
  /** Routing time per input (benchmarks). */
  observeRouting?: (input: 'command' | 'button' | 'modal' | 'text', ms: number) => void;
  /** Update-in → reply-out per update, both platforms (benchmarks). */
  observeLatency?: LatencyObserver;
  /** Given by a caller that must be able to stop a start-up still in progress (SIGTERM). */
  lifecycle?: Lifecycle;
  /** Tests: shrinks the bots' own send pacing windows (cli/pacers.ts); default 1. */
  pacingTimeScale?: number;
}

export async function startRuntime(opts: StartOptions): Promise<Runtime> {
  const { config, logger } = opts;
  // Error texts stored or printed anywhere in this process are scrubbed of these values.
  registerSecrets(secretsOf(config));
  const lifecycle = opts.lifecycle ?? new Lifecycle(logger);
  // Workers run many jobs at once (delivery, alerts, events); each may need a connection.
  const db = createDb(config.DATABASE_URL, { poolSize: 20 });
  lifecycle.onStop('database', () => db.close());
  const hub = new QueueHub({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  lifecycle.onStop('queues', () => hub.close());

  const pacers = pacerFactory(hub.redis, hub.prefix, opts.pacingTimeScale ?? 1);
  const app = composeServices({
    config,
    db,
    hub,
    logger,
    pacers,
    ...(opts.features ? { features: opts.features } : {}),
    ...(opts.observeRouting ? { observeRouting: opts.observeRouting } : {}),
  });
  const runtime: Runtime = { config, logger, db, hub, lifecycle, app, stop: () => lifecycle.stop() };
  lifecycle.onStop('assistant', () => app.assistant.close());
  try {
    // First start: the assistant gets the starter knowledge base (later imports add versions).
    await seedKnowledgeBase(app.assistant.assistant, logger);
    if (opts.roles.includes('web')) {
      const { web, port } = await startWeb({
        config,
        db,
        hub,
        app,
        logger,
        lifecycle,
        host: opts.host ?? '0.0.0.0',
      });
      runtime.web = web;
      runtime.port = port;
    }
    if (opts.roles.includes('workers')) {
      // Workers close with the hub (registered above), after the bots stop taking input.
      runtime.notifier = await startWorkers({
        config,
        db,
        hub,
        delivery: app.delivery,
        stores: app.stores,
        logger,
        lifecycle,
        moderation: app.moderation,
        pacers,
        conversation: app.conversation,
      });
      app.assistant.startWorker();
      // Ticket effects and timers (their queues close with the hub).
      await app.tickets.startWorkers();
    }
    if (opts.roles.includes('bots')) {
      await startBots({
        config,
        router: app.router,
        logger,
        lifecycle,
        onDmChannel: (userId, channelId) => app.services.identities.setDmChat('DISCORD', userId, channelId),
        ...(app.services.telegramPacer ? { telegramPacer: app.services.telegramPacer } : {}),
        ...(config.DISCORD_TOKEN ? { discordPacer: pacers('DISCORD', config.DISCORD_TOKEN) } : {}),
        ...(opts.observeLatency ? { observeLatency: opts.observeLatency } : {}),
      });
    }
  } catch (err) {
    await lifecycle.stop();
    throw err;
  }
  return runtime;
}
