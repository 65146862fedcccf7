// A process that only applies liveness events, in batches of BATCH (default 10,000), with
// the engine's handler (transitions, incidents, their timers): the kill -9 test runs it as
// a child and kills it in the middle of one batch. Env: DATABASE_URL, REDIS_URL,
// QUEUE_PREFIX and the alert settings, as for `nodedesk start`.
import { parseConfig } from '../../core/config';
import { createDb } from '../../core/db';
import { createLogger } from '../../core/logger';
import { createRedis, QueueHub } from '../../core/queue';
import { DeliveryService } from '../delivery/service';
import { NotifierEngine, rulesFromConfig } from '../engine';
import { LivenessConsumer } from './consumer';
import { eventsKey } from './store';

async function main() {
  const config = parseConfig(process.env);
  const logger = createLogger({ level: 'warn' });
  const db = createDb(config.DATABASE_URL);
  const hub = new QueueHub({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, logger });
  const engine = new NotifierEngine({
    db,
    hub,
    delivery: new DeliveryService(db.prisma, hub, new Set(['TELEGRAM', 'DISCORD'])),
    logger,
    redisUrl: config.REDIS_URL,
    rules: rulesFromConfig(config),
  });
  const consumer = new LivenessConsumer({
    redis: createRedis(config.REDIS_URL, true),
    stream: eventsKey(config.QUEUE_PREFIX),
    handle: (events) => engine.handle(events),
    logger,
    batch: Number(process.env.BATCH ?? 10_000),
  });
  await consumer.start();
  process.stdout.write('consuming\n');
}

void main();
