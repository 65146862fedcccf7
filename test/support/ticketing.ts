// A ticket feature on the real PostgreSQL and Redis (own schema and queue prefix) with an
// in-memory conversation port, for domain tests without bots.
import type { Platform, PrismaClient } from '@prisma/client';
import { IdentityService } from '../../accounts/identity';
import { QueueHub } from '../../core/queue';
import { createLogger } from '../../core/logger';
import { LivenessStore } from '../../notifier/liveness/store';
import { NetworkViewStore } from '../../notifier/network-view';
import { StatusService } from '../../notifier/status';
import type { Actor } from '../../ticketing/actor';
import { Categories } from '../../ticketing/categories';
import { createTicketing, type Ticketing } from '../../ticketing';
import { DEFAULT_SETTINGS, type TicketSettings } from '../../ticketing/settings';
import type { TicketsHome } from '../../ticketing/home';
import { createTestDatabase, type TestDatabase } from './db';
import { TEST_REDIS_URL } from './env';
import { FakeConversation } from './fake-conversation';
import { deleteKeys, testPrefix } from './redis';

export const STAFF_CHAT = '-1001234567890';
export const SUPPORT_CHANNEL = '200000000000000010';
export const LOG_CHANNEL = '200000000000000011';

export interface TicketWorld {
  tdb: TestDatabase;
  hub: QueueHub;
  prefix: string;
  port: FakeConversation;
  tk: Ticketing;
  identities: IdentityService;
  actor(
    platform: Platform,
    platformUserId: string,
    opts?: { role?: Actor['role']; name?: string },
  ): Promise<Actor>;
  /** Starts effect and timer workers (again after stopWorkers: a restart). */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

export async function ticketWorld(
  opts: { settings?: Partial<TicketSettings>; home?: TicketsHome; tdb?: TestDatabase } = {},
): Promise<TicketWorld> {
  const tdb = opts.tdb ?? (await createTestDatabase());
  const prefix = testPrefix();
  const port = new FakeConversation();
  const logger = createLogger({ level: 'silent' });
  const identities = new IdentityService(tdb.db.prisma);
  const settings = { ...DEFAULT_SETTINGS, ...opts.settings };
  let hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
  let workerHub: QueueHub | null = null;
  const build = (h: QueueHub) =>
    createTicketing({
      prisma: tdb.db.prisma,
      pool: tdb.db.pool,
      hub: h,
      conversation: port,
      places: {
        telegramStaffChatId: STAFF_CHAT,
        discordSupportChannelId: SUPPORT_CHANNEL,
        discordLogChannelId: LOG_CHANNEL,
      },
      status: new StatusService(
        tdb.db.pool,
        new LivenessStore(h.redis, prefix, 'push'),
        new NetworkViewStore(h.redis, prefix),
        60_000,
      ),
      categories: new Categories(),
      settings,
      home: opts.home ?? 'own',
      logger,
    });
  const world: TicketWorld = {
    tdb,
    hub,
    prefix,
    port,
    tk: build(hub),
    identities,
    async actor(platform, platformUserId, o = {}) {
      const id = await identities.ensure({
        platform,
        platformUserId,
        username: o.name ?? `u${platformUserId}`,
      });
      return {
        identityId: id.id,
        userId: id.userId,
        platform,
        name: o.name ?? `u${platformUserId}`,
        role: o.role ?? 'user',
      };
    },
    async startWorkers() {
      // Workers get a hub of their own, so stopping them is a real restart of the workers role.
      workerHub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
      await build(workerHub).startWorkers();
    },
    async stopWorkers() {
      await workerHub?.close();
      workerHub = null;
    },
    async close() {
      await world.stopWorkers();
      await hub.close();
      await tdb.drop();
      await deleteKeys(prefix);
    },
  };
  void hub;
  hub = world.hub;
  return world;
}

/** Everything a staff action on ticket `number` could change (compared before and after a refusal). */
export async function ticketSnapshot(prisma: PrismaClient, number: number) {
  const ticket = await prisma.ticket.findUniqueOrThrow({ where: { number } });
  return {
    ticket: { ...ticket, updatedAt: null, lastActivityAt: null },
    messages: await prisma.ticketMessage.count({ where: { ticketId: ticket.id } }),
    audits: await prisma.auditEvent.count(),
    snippets: await prisma.ticketSnippet.count(),
    panels: await prisma.ticketPanel.count(),
  };
}
