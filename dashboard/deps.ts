// What the dashboard needs from the composition root: the same domain services the bots
// use (tickets, moderation, the assistant), the role lookups of the conversation layer,
// and read access to the stores behind the fleet page. No Fastify, no platform client.
import type { PrismaClient } from '@prisma/client';
import type pg from 'pg';
import type { Assistant } from '../assistant/service';
import type { ChatPlatform } from '../core/conversation';
import type { StaffRole } from '../core/feature';
import type { Logger } from '../core/logger';
import type { QueueHub } from '../core/queue';
import type { Moderation } from '../moderation/service';
import type { Ticketing } from '../ticketing';
import type { NodeStatusSource } from '../ticketing/context-card';
import type { DashboardStore } from './store';

export interface StaffAudit {
  action: `staff.${string}`;
  subjectType: string;
  subjectId: string;
  actorUserId: string;
  actorIdentityId: string;
  details?: Record<string, string>;
}

export interface DashboardDeps {
  store: DashboardStore;
  /** The router's role lookups (cached at most a minute): a removed staff member's session stops. */
  roles: {
    rolesOf(platform: ChatPlatform, platformUserId: string): Promise<ReadonlySet<StaffRole>>;
  };
  tickets: Ticketing;
  moderation: Moderation;
  assistant: Assistant;
  status: NodeStatusSource;
  prisma: PrismaClient;
  pool: pg.Pool;
  hub: QueueHub;
  /** Writes one audit row, as the router does for chat actions (`staff.<feature>.<action>`). */
  audit(entry: StaffAudit): Promise<void>;
  /** Cookies get `Secure` (PUBLIC_BASE_URL is https, or the request came over HTTPS). */
  secureCookies: boolean;
  logger: Logger;
}
