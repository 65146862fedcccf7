// Test wiring for moderation's domain tests: real PostgreSQL (own schema), real Redis and
// BullMQ (own prefix), real delivery queues; the chat side is a recording card port.
import type { Platform } from '@prisma/client';
import { IdentityService, type IdentityRecord } from '../accounts/identity';
import { DEFAULT_NODE_ID_PATTERN } from '../accounts/nodes';
import { createLogger } from '../core/logger';
import { QueueHub } from '../core/queue';
import type { Reply } from '../core/reply';
import { localize } from '../notifier/delivery/content';
import { DeliveryService } from '../notifier/delivery/service';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { replyText } from './card';
import type { Reporter } from './model';
import type { CardPort, CardRef, CaseEscalator } from './ports';
import { Moderation, type ModerationDeps } from './service';

/** Remembers every card post and edit, per platform, like a chat would show them. */
export class RecordingCardPort implements CardPort {
  readonly platforms: Platform[] = ['TELEGRAM', 'DISCORD'];
  readonly posts: Array<{ ref: CardRef; reply: Reply }> = [];
  readonly edits: Array<{ ref: CardRef; reply: Reply }> = [];
  /** Current text of each posted message. */
  readonly shown = new Map<string, Reply>();
  private next = 1;

  locale(platform: Platform) {
    return platform === 'TELEGRAM' ? ('en' as const) : ('zh' as const);
  }
  async post(platform: Platform, reply: Reply) {
    const ref: CardRef = {
      platform,
      chatId: platform === 'TELEGRAM' ? '-100' : '900',
      threadId: platform === 'TELEGRAM' ? '7' : undefined,
      messageId: String(this.next++),
    } as CardRef;
    if (!ref.threadId) delete ref.threadId;
    this.posts.push({ ref, reply });
    this.shown.set(`${platform}:${ref.messageId}`, reply);
    return { ok: true as const, value: ref };
  }
  async edit(ref: CardRef, reply: Reply) {
    this.edits.push({ ref, reply });
    this.shown.set(`${ref.platform}:${ref.messageId}`, reply);
    return { ok: true as const, value: ref };
  }
  /** Cards of one platform, as text. */
  texts(platform: Platform): string[] {
    return [...this.shown.entries()].filter(([k]) => k.startsWith(platform)).map(([, r]) => replyText(r));
  }
}

export class RecordingEscalator implements CaseEscalator {
  readonly opened: Array<Parameters<CaseEscalator['open']>[0]> = [];
  async open(input: Parameters<CaseEscalator['open']>[0]) {
    this.opened.push(input);
    return { ok: true as const, ticketRef: `T${this.opened.length}` };
  }
}

export interface ModerationHarness {
  tdb: TestDatabase;
  hub: QueueHub;
  moderation: Moderation;
  port: RecordingCardPort;
  escalator: RecordingEscalator;
  identities: IdentityService;
  person(
    name: string,
    opts?: { platform?: Platform; locale?: string; ageHours?: number },
  ): Promise<IdentityRecord & { reporter: Reporter }>;
  /** DMs queued for a user, localized as delivery would send them. */
  dms(userId: string): Promise<string[]>;
  close(): Promise<void>;
}

let seq = 0;

export async function moderationHarness(opts: Partial<ModerationDeps> = {}): Promise<ModerationHarness> {
  const tdb = await createTestDatabase();
  const prefix = testPrefix();
  const hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
  const logger = createLogger({ level: 'silent' });
  const delivery = new DeliveryService(tdb.db.prisma, hub, new Set<Platform>(['TELEGRAM', 'DISCORD']));
  const port = new RecordingCardPort();
  const escalator = new RecordingEscalator();
  const moderation = new Moderation({
    prisma: tdb.db.prisma,
    pool: tdb.db.pool,
    hub,
    logger,
    messenger: delivery,
    escalator,
    validNodeId: (id) => id.length <= 128 && DEFAULT_NODE_ID_PATTERN.test(id),
    ...opts,
  });
  moderation.startWorkers(port);
  const identities = new IdentityService(tdb.db.prisma);
  return {
    tdb,
    hub,
    moderation,
    port,
    escalator,
    identities,
    async person(name, o = {}) {
      const platform = o.platform ?? 'TELEGRAM';
      const id = await identities.ensure({
        platform,
        platformUserId: String(
          platform === 'DISCORD' ? 900_000_000_000_000_000n + BigInt(++seq) : 700_000 + ++seq,
        ),
        username: name,
        languageCode: o.locale ?? 'en',
      });
      // Accounts are old unless a test says otherwise (young ones count toward brigading).
      const created = new Date(Date.now() - (o.ageHours ?? 24 * 365) * 3_600_000 - seq * 7_200_000);
      await tdb.db.prisma.user.update({ where: { id: id.userId }, data: { createdAt: created } });
      return {
        ...id,
        reporter: {
          userId: id.userId,
          identityId: id.id,
          platform,
          platformUserId: id.platformUserId,
          name: `@${name}`,
        },
      };
    },
    async dms(userId) {
      const out: string[] = [];
      for (const q of ['deliver-telegram', 'deliver-discord'] as const) {
        for (const job of await hub
          .queue(q)
          .getJobs(['waiting', 'delayed', 'prioritized', 'completed', 'active'])) {
          if (job?.data.userId !== userId) continue;
          const identity = await identities.get(job.data.identityId);
          out.push(replyText(localize(job.data.content, identity?.locale ?? 'en')));
        }
      }
      return out;
    },
    async close() {
      await hub.close();
      await tdb.drop();
      await deleteKeys(prefix);
    },
  };
}
