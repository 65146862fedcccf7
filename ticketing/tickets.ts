// Opening tickets and finding them. An open is one transaction under a per-user advisory
// lock, so concurrent opens by one user cannot slip past the limits, and it is keyed by the
// request, so a retried open returns the ticket it made instead of a second one.
import type { Platform, Prisma, PrismaClient, Ticket } from '@prisma/client';
import type { Actor } from './actor';
import { auditTicket, TX_OPTIONS } from './actor';
import type { Categories } from './categories';
import { TicketError } from './errors';
import { homePlatformFor, type TicketsHome } from './home';
import type { TicketJobs } from './jobs';
import type { TicketSettings } from './settings';
import { ACTIVE_STATES } from './state';
import { Semaphore } from './semaphore';
import { slaDueTimes, type TicketTimers } from './timers';

export interface IncomingAttachment {
  name: string;
  contentType: string;
  size: number;
  /** The bytes, when the adapter downloaded them (kept up to the size cap). */
  data?: Buffer;
  /** The platform's own reference (Telegram file_id, Discord attachment URL). */
  sourceRef?: string;
}

export interface OpenRequest {
  requestKey: string;
  opener: Actor;
  category: string;
  description: string;
  answers?: Record<string, string>;
  attachments?: IncomingAttachment[];
  guildId?: string | null;
  /** The platform message that carried the description, if any. */
  sourceKey?: string;
}

export interface TicketDeps {
  prisma: PrismaClient;
  categories: Categories;
  settings: TicketSettings;
  jobs: TicketJobs;
  timers: TicketTimers;
  home: TicketsHome;
  staffPlaces: Set<Platform>;
  now?: () => number;
}

const HOUR = 3_600_000;
export const MAX_DESCRIPTION = 2000;

export function attachmentRows(list: IncomingAttachment[] | undefined, maxBytes: number) {
  return (list ?? []).slice(0, 10).map((a) => ({
    name: a.name.slice(0, 200) || 'file',
    contentType: a.contentType.slice(0, 100) || 'application/octet-stream',
    size: a.size,
    data: a.data && a.data.length <= maxBytes ? new Uint8Array(a.data) : null,
    sourceRef: a.sourceRef?.slice(0, 500) ?? null,
  }));
}

export class TicketService {
  private readonly now: () => number;
  /** Open transactions in flight at once: a few, so a burst queues instead of exhausting the pool. */
  private readonly opening = new Semaphore(3);

  constructor(private readonly deps: TicketDeps) {
    this.now = deps.now ?? Date.now;
  }

  async open(req: OpenRequest): Promise<{ ticket: Ticket; created: boolean }> {
    const { prisma } = this.deps;
    const category = this.deps.categories.get(req.category);
    if (!category) throw new TicketError('bad_category', { value: req.category.slice(0, 24) });
    const description = req.description.trim().slice(0, MAX_DESCRIPTION);
    const existing = await prisma.ticket.findUnique({ where: { requestKey: req.requestKey } });
    if (existing) return { ticket: existing, created: false };
    const now = this.now();
    let result: { ticket: Ticket; created: boolean };
    try {
      result = await this.opening.run(() => this.openTx(req, category, description, now));
    } catch (err) {
      // Two identical requests raced past the first lookup: the other one committed.
      if ((err as { code?: string }).code === 'P2002') {
        const row = await prisma.ticket.findUnique({ where: { requestKey: req.requestKey } });
        if (row) return { ticket: row, created: false };
      }
      throw err;
    }
    if (result.created) await this.afterOpen(result.ticket);
    return result;
  }

  private openTx(
    req: OpenRequest,
    category: NonNullable<ReturnType<Categories['get']>>,
    description: string,
    now: number,
  ): Promise<{ ticket: Ticket; created: boolean }> {
    const { prisma, settings } = this.deps;
    const userId = req.opener.userId;
    return prisma.$transaction(async (tx) => {
      // Serializes this user's opens; other users are not held up.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`ticket-open:${userId}`}))`;
      const again = await tx.ticket.findUnique({ where: { requestKey: req.requestKey } });
      if (again) return { ticket: again, created: false };
      await this.checkLimits(tx, userId, now);
      const home = homePlatformFor(req.opener.platform, this.deps.home, this.deps.staffPlaces);
      const due = slaDueTimes(new Date(now), category.priority, settings);
      const created = await tx.ticket.create({
        data: {
          requestKey: req.requestKey,
          userId,
          identityId: req.opener.identityId,
          platform: req.opener.platform,
          homePlatform: home,
          guildId: req.guildId ?? null,
          category: category.id,
          subject: description.split('\n')[0]!.slice(0, 120) || category.label.en,
          answers: (req.answers ?? {}) as Prisma.InputJsonValue,
          priority: category.priority,
          tags: category.tags,
          openedAt: new Date(now),
          lastActivityAt: new Date(now),
          lastUserMessageAt: new Date(now),
          slaFirstDueAt: due.firstDueAt,
          slaResolveDueAt: due.resolveDueAt,
        },
      });
      await tx.ticketMessage.create({
        data: {
          ticketId: created.id,
          kind: 'USER',
          authorIdentityId: req.opener.identityId,
          authorName: req.opener.name.slice(0, 100),
          platform: req.opener.platform,
          sourceKey: req.sourceKey ?? 'description',
          body: description,
          attachments: { create: attachmentRows(req.attachments, settings.maxStoredAttachmentBytes) },
        },
      });
      await auditTicket(
        tx,
        req.opener,
        'ticket.open',
        { type: 'ticket', id: created.id },
        {
          number: created.number,
          category: category.id,
          home,
        },
      );
      return { ticket: created, created: true };
    }, TX_OPTIONS);
  }

  /** Queues the staff-side thread and the SLA timers (again, harmlessly, from the reconciler). */
  async afterOpen(ticket: Ticket): Promise<void> {
    await this.deps.jobs.effect({ op: 'open-home', ticketId: ticket.id });
    await this.deps.timers.scheduleSla(ticket);
  }

  /** Throws the refusal an open would meet now (checked again, under the lock, at open time). */
  async precheck(userId: string): Promise<void> {
    await this.checkLimits(this.deps.prisma, userId, this.now());
  }

  /** Refusals say when the user can open another ticket. */
  private async checkLimits(
    tx: Prisma.TransactionClient | PrismaClient,
    userId: string,
    now: number,
  ): Promise<void> {
    const { settings } = this.deps;
    const open = await tx.ticket.findMany({
      where: { userId, state: { in: ACTIVE_STATES } },
      select: { number: true },
      orderBy: { number: 'asc' },
    });
    if (open.length >= settings.maxOpenPerUser) {
      throw new TicketError('limit_open', {
        max: settings.maxOpenPerUser,
        numbers: open.map((t) => `#${t.number}`).join(', '),
      });
    }
    const recent = await tx.ticket.findMany({
      where: { userId, createdAt: { gt: new Date(now - HOUR) } },
      select: { createdAt: true },
      orderBy: { createdAt: 'asc' },
    });
    if (recent.length >= settings.perHour) {
      // The window frees a place when its oldest open leaves it.
      const freeAt = new Date(recent[recent.length - settings.perHour]!.createdAt.getTime() + HOUR);
      throw new TicketError('limit_rate', { max: settings.perHour, at: freeAt });
    }
  }

  get(id: string): Promise<Ticket | null> {
    return this.deps.prisma.ticket.findUnique({ where: { id } });
  }

  byNumber(number: number): Promise<Ticket | null> {
    return this.deps.prisma.ticket.findUnique({ where: { number } });
  }

  /** The ticket worked in a staff thread or topic. */
  byHomeKey(key: string): Promise<Ticket | null> {
    return this.deps.prisma.ticket.findUnique({ where: { homeKey: key } });
  }

  /** The user's ticket their DM messages go to: the most recently active one that is not closed. */
  activeForUser(userId: string): Promise<Ticket | null> {
    return this.deps.prisma.ticket.findFirst({
      where: { userId, state: { in: ACTIVE_STATES } },
      orderBy: { lastActivityAt: 'desc' },
    });
  }

  /** The user's most recently closed ticket still inside the reopen window. */
  reopenable(userId: string): Promise<Ticket | null> {
    return this.deps.prisma.ticket.findFirst({
      where: {
        userId,
        state: 'CLOSED',
        closedAt: { gt: new Date(this.now() - this.deps.settings.reopenWindowMs) },
      },
      orderBy: { closedAt: 'desc' },
    });
  }

  recentForUser(userId: string, take = 5): Promise<Ticket[]> {
    return this.deps.prisma.ticket.findMany({ where: { userId }, orderBy: { number: 'desc' }, take });
  }
}
