// The ticket feature's services, built once per process by the composition root.
import type { PrismaClient } from '@prisma/client';
import type pg from 'pg';
import type { ConversationPort } from '../core/conversation';
import type { Logger } from '../core/logger';
import type { QueueHub, TicketTimerJob } from '../core/queue';
import { StaffGate } from './actor';
import type { Categories } from './categories';
import type { NodeStatusSource } from './context-card';
import { TicketEffects } from './effects';
import type { TicketsHome } from './home';
import { IntakeService } from './intake';
import { TicketJobs } from './jobs';
import { TicketLifecycle } from './lifecycle';
import { TicketPort, type StaffPlaces } from './port';
import { TicketRelay } from './relay';
import type { TicketSettings } from './settings';
import { caseEscalator, openPrefilled, TicketOffers, type PrefilledOpen } from './prefilled';
import { Snippets } from './snippets';
import { TicketService } from './tickets';
import { startTimerWorker } from './timer-worker';
import { TicketTimers } from './timers';
import type { MessageRef } from '../core/conversation';
import type { TicketMessage } from '@prisma/client';
import { IdentityService } from '../accounts/identity';

export interface TicketingDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  hub: QueueHub;
  conversation: ConversationPort;
  places: StaffPlaces;
  status: NodeStatusSource;
  categories: Categories;
  settings: TicketSettings;
  home: TicketsHome;
  logger: Logger;
  now?: () => number;
}

export type Ticketing = ReturnType<typeof createTicketing>;

export function createTicketing(deps: TicketingDeps) {
  const now = deps.now ?? Date.now;
  const gate = new StaffGate(deps.prisma, deps.logger);
  const jobs = new TicketJobs(deps.hub, now);
  const timers = new TicketTimers(deps.prisma, jobs, deps.settings, now);
  const port = new TicketPort(deps.conversation, deps.places, deps.prisma);
  const common = { prisma: deps.prisma, jobs, timers, settings: deps.settings, now };
  const tickets = new TicketService({
    ...common,
    pool: deps.pool,
    categories: deps.categories,
    home: deps.home,
    staffPlaces: port.staffPlaces,
    placesFor: (guildId) => port.placesFor(guildId),
  });
  const lifecycle = new TicketLifecycle({ ...common, gate, categories: deps.categories });
  const relay = new TicketRelay({ ...common, pool: deps.pool, gate });
  const intake = new IntakeService(deps.prisma, deps.categories, tickets, deps.settings.intakeTtlMs, now);
  const snippets = new Snippets(deps.prisma, gate);
  const offers = new TicketOffers(deps.hub.redis, deps.hub.prefix);

  return {
    gate,
    jobs,
    timers,
    port,
    tickets,
    lifecycle,
    relay,
    intake,
    snippets,
    offers,
    /** Stable entry points for other features (moderation, assistant): see prefilled.ts. */
    openPrefilled: (input: PrefilledOpen) => openPrefilled({ prisma: deps.prisma, tickets }, input),
    escalator: caseEscalator({ prisma: deps.prisma, tickets }),
    categories: deps.categories,
    settings: deps.settings,
    prisma: deps.prisma,
    pool: deps.pool,
    /** The workers role: effects and timers, plus a pass that re-queues work a crash may have dropped. */
    async startWorkers(
      hooks: {
        onRelayed?: (m: TicketMessage, ref: MessageRef) => void;
        onTimer?: (kind: TicketTimerJob['kind'], ticketId: string) => void;
      } = {},
    ) {
      const effects = new TicketEffects({
        prisma: deps.prisma,
        pool: deps.pool,
        hub: deps.hub,
        port,
        categories: deps.categories,
        status: deps.status,
        logger: deps.logger,
        identities: new IdentityService(deps.prisma, deps.pool),
        ...(hooks.onRelayed ? { onRelayed: hooks.onRelayed } : {}),
      });
      effects.start();
      startTimerWorker({
        hub: deps.hub,
        timers,
        lifecycle,
        jobs,
        logger: deps.logger,
        ...(hooks.onTimer ? { onFired: hooks.onTimer } : {}),
      });
      await reconcile(deps.prisma, tickets, jobs, timers);
      return effects;
    },
  };
}

/**
 * Work committed to PostgreSQL but never queued (the process died between the two) is
 * queued again; job ids make this a no-op for work that is queued already.
 */
export async function reconcile(
  prisma: PrismaClient,
  tickets: TicketService,
  jobs: TicketJobs,
  timers: TicketTimers,
): Promise<void> {
  const active = await prisma.ticket.findMany({ where: { state: { not: 'CLOSED' } } });
  const run = String(Date.now());
  for (const t of active) {
    if (!t.homeKey) await tickets.afterOpen(t);
    else {
      await jobs.effect({ op: 'flush', ticketId: t.id }, `reconcile-${run}`);
      await timers.scheduleSla(t);
    }
  }
}
