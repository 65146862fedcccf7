// Delivery against the Telegram emulator: long messages, failures in the middle, no reach.
import { createLogger } from '../../core/logger';
import { QueueHub } from '../../core/queue';
import { TelegramSender } from '../../bots/telegram/sender';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { TEST_REDIS_URL } from '../../test/support/env';
import { seedOwners } from '../../test/support/fleet';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { waitFor } from '../../test/support/wait';
import { DeliveryService } from './service';
import { startDeliveryWorker } from './worker';

describe('delivery', () => {
  let tg: TelegramSandbox;
  let tdb: TestDatabase;
  const prefix = testPrefix();
  let hub: QueueHub;
  let delivery: DeliveryService;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    tdb = await createTestDatabase();
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
    delivery = new DeliveryService(tdb.db.prisma, hub, new Set(['TELEGRAM']), tdb.db.pool);
    startDeliveryWorker({
      prisma: tdb.db.prisma,
      hub,
      delivery,
      sender: new TelegramSender(tg.token, tg.apiRoot),
      logger: createLogger({ level: 'silent' }),
      limits: { perSecond: 30, chat: () => null },
    });
  });
  afterAll(async () => {
    await hub.close();
    await tdb.drop();
    await deleteKeys(prefix);
    await tg.stop();
  });

  it('a long message split in parts resumes at the failed part: every part arrives once', async () => {
    const [o] = await seedOwners(tdb.db.prisma, {
      owners: 1,
      nodesPerOwner: 0,
      platform: () => 'TELEGRAM',
      firstUserId: 910_000,
    });
    const u = tg.user(Number(o!.platformUserId));
    const items = Array.from({ length: 250 }, (_, i) => ({
      key: 'alert.offline.item' as const,
      params: {
        node: `a-rather-long-worker-node-identifier-${String(i).padStart(4, '0')}`,
        lastSeen: '2026-11-24 16:00 UTC',
      },
    }));
    tg.failNext('sendMessage', { status: 500 }, 1);
    // The first call fails (part 1); arm a second failure once part 1 went through.
    let armed = false;
    const unarm = setInterval(() => {
      if (!armed && u.messages().length === 1) {
        armed = true;
        tg.failNext('sendMessage', { status: 502 }, 1);
      }
    }, 1);
    await delivery.sendToUser(o!.userId, [{ kind: 'list', items }], { dedupeKey: 'long-1', kind: 'test' });
    await waitFor(async () => (await hub.redis.exists(`${prefix}:sent:long-1`)) === 1 || null, {
      timeoutMs: 20_000,
      what: 'sent',
    });
    clearInterval(unarm);
    const texts = u.messages().map((m) => m.text ?? '');
    expect(texts.length).toBeGreaterThanOrEqual(3);
    const all = texts.join('\n');
    for (const i of [0, 125, 249])
      expect(all.split(`identifier-${String(i).padStart(4, '0')}`).length - 1).toBe(1);
  });

  it('nobody reachable: the failure is recorded for staff', async () => {
    const [o] = await seedOwners(tdb.db.prisma, {
      owners: 1,
      nodesPerOwner: 0,
      platform: () => 'TELEGRAM',
      firstUserId: 920_000,
    });
    tg.user(Number(o!.platformUserId)).block();
    await delivery.sendToUser(o!.userId, [{ kind: 'text', key: 'mute.off' }], {
      dedupeKey: 'blocked-1',
      kind: 'test',
    });
    const failure = await waitFor(
      () => tdb.db.prisma.deliveryFailure.findUnique({ where: { dedupeKey: 'blocked-1' } }),
      { what: 'failure row' },
    );
    expect(failure).toMatchObject({ userId: o!.userId, tried: ['TELEGRAM'] });
    const identity = await tdb.db.prisma.identity.findFirstOrThrow({ where: { userId: o!.userId } });
    expect(identity.dmReachable).toBe(false);
  });
});
