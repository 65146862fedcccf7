// Delivery alone: N alert DMs queued at once (half Telegram, half Discord) drained by the
// delivery workers into the sandboxes. With BENCH_UNLIMITED=1 the sandboxes and pacers
// have no limits, which measures what one process can push (DMs/s, CPU per DM): the
// storm's span can only meet the rate-limit floor if this capacity is well above
// 30 + 50 DMs/s. Without it, the span is compared with the floor as in the storm.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Platform } from '@prisma/client';
import { DiscordSender } from '../../bots/discord/sender';
import { TelegramSender } from '../../bots/telegram/sender';
import { createLogger } from '../../core/logger';
import { QueueHub } from '../../core/queue';
import { startDiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { seedOwners } from '../../test/support/fleet';
import { TEST_REDIS_URL } from '../../test/support/env';
import { waitFor } from '../../test/support/wait';
import { PLATFORM_PACING, SendPacer, pacerKey } from '../../notifier/delivery/pacing';
import { DeliveryService, type UserMessage } from '../../notifier/delivery/service';
import { startDeliveryWorker } from '../../notifier/delivery/worker';
import { fmt, openDiscordDms, report, scratch } from './common';

const DMS = Number(process.env.BENCH_DMS ?? 1_000);
const UNLIMITED = process.env.BENCH_UNLIMITED === '1';

export async function benchDeliver() {
  const { tdb, prefix, cleanup } = await scratch();
  const tg = await startTelegramSandbox({ limits: UNLIMITED ? false : { globalPerSecond: 30 } });
  const dc = await startDiscordSandbox({ limits: UNLIMITED ? false : { globalPerSecond: 50 } });
  const hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
  const logger = createLogger({ level: 'warn' });
  try {
    const owners = await seedOwners(tdb.db.prisma, {
      owners: DMS,
      nodesPerOwner: 0,
      platform: (i) => (i % 2 === 0 ? 'TELEGRAM' : 'DISCORD'),
      firstUserId: 700_000_000_000_000,
    });
    for (const o of owners) {
      if (o.platform === 'TELEGRAM') tg.user(Number(o.platformUserId));
      else dc.user(o.platformUserId, { username: `u${o.platformUserId}` });
    }
    await openDiscordDms(dc, tdb.db.prisma, owners);
    const warmup429 = dc.rateLimitHits();
    const delivery = new DeliveryService(tdb.db.prisma, hub, new Set<Platform>(['TELEGRAM', 'DISCORD']));
    const pace = (p: Platform, token: string) =>
      new SendPacer(hub.redis, pacerKey(prefix, p, token), {
        ...PLATFORM_PACING[p],
        ...(UNLIMITED ? { perSecond: 100_000 } : {}),
      });
    const common = { prisma: tdb.db.prisma, pool: tdb.db.pool, hub, delivery, logger };
    startDeliveryWorker({
      ...common,
      sender: new TelegramSender(tg.token, tg.apiRoot),
      pacer: pace('TELEGRAM', tg.token),
    });
    startDeliveryWorker({
      ...common,
      sender: new DiscordSender(dc.token, dc.apiBase),
      pacer: pace('DISCORD', dc.token),
    });

    const messages: UserMessage[] = owners.map((o, i) => ({
      userId: o.userId,
      content: [
        { kind: 'title', key: 'alert.offline.title', params: { count: 3 } },
        {
          kind: 'list',
          items: [0, 1, 2].map((n) => ({
            key: 'alert.offline.item' as const,
            params: { node: `node-${i}-${n}`, lastSeen: '12:00' },
          })),
        },
      ],
      dedupeKey: `bench-${i}`,
      kind: 'offline-alert',
    }));
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const start = Date.now();
    const hr0 = process.hrtime.bigint() / 1000n;
    await delivery.sendToUsers(messages);
    const queuedS = (Date.now() - start) / 1000;
    const done = async () =>
      (await hub.queue('deliver-telegram').getCompletedCount()) +
      (await hub.queue('deliver-discord').getCompletedCount());
    await waitFor(async () => ((await done()) >= DMS ? true : null), {
      timeoutMs: 600_000,
      intervalMs: 100,
      what: 'all sent',
    });
    const spanS = (Date.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (process.env.BENCH_MARKS) console.log(`window (hrtime µs): ${hr0} ${process.hrtime.bigint() / 1000n}`);
    const elu = performance.eventLoopUtilization(elu0);
    const tgN = tg.calls('sendMessage').length;
    const tg429 = tg.calls('sendMessage').filter((c) => c.status === 429).length;
    const floorS = Math.max(Math.ceil(DMS / 2) / 30, Math.floor(DMS / 2) / 50);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    report(`Delivery: ${fmt(DMS)} DMs queued at once${UNLIMITED ? ' (no limits)' : ''}`, {
      'queued in (s)': fmt(queuedS, 2),
      'queued → all sent (s)': fmt(spanS, 2),
      'DMs/s': fmt(DMS / spanS, 1),
      ...(UNLIMITED
        ? {}
        : { 'rate-limit floor (s)': fmt(floorS, 1), 'ratio to floor': fmt(spanS / floorS, 3) }),
      'Telegram calls / 429s': `${tgN} / ${tg429}`,
      'Discord 429s': dc.rateLimitHits() - warmup429,
      'CPU per DM (ms, sandboxes included)': fmt((cpuS * 1000) / DMS, 2),
      'event loop busy': `${fmt(elu.utilization * 100)}%`,
      'load average (1 min)': fmt(os.loadavg()[0]!, 2),
    });
  } finally {
    await hub.close();
    await dc.stop();
    await tg.stop();
    await cleanup();
  }
}

if (require.main === module)
  void benchDeliver().then(
    () => process.exit(0),
    (e) => (console.error(e), process.exit(1)),
  );
