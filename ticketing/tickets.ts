// Opening tickets and finding them. An open is one transaction under a per-user advisory
// lock, so concurrent opens by one user cannot slip past the limits, and it is keyed by the
// request, so a retried open returns the ticket it made instead of a second one.
import crypto from 'node:crypto';
import type { Platform, PrismaClient, Ticket } from '@prisma/client';
import type pg from 'pg';
import type { Actor } from './actor';
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
  pool: pg.Pool;
  categories: Categories;
  settings: TicketSettings;
  jobs: TicketJobs;
  timers: TicketTimers;
  home: TicketsHome;
  staffPlaces: Set<Platform>;
  /** The staff places for a ticket from this guild (a guild may have its own support channel). */
  placesFor?: (guildId: string | null | undefined) => Set<Platform>;
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

  /**
   * One transaction in plain SQL on the pool: a burst of opens is CPU-bound in the ORM's
   * per-query work, and this path is the one a rush of users hits at once.
   */
  private async openTx(
    req: OpenRequest,
    category: NonNullable<ReturnType<Categories['get']>>,
    description: string,
    now: number,
  ): Promise<{ ticket: Ticket; created: boolean }> {
    const { settings } = this.deps;
    let userId = req.opener.userId;
    const client = await this.deps.pool.connect();
    let id: string | null = null;
    let created = false;
    try {
      await client.query('BEGIN');
      // Serializes this user's opens; other users are not held up.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ticket-open:${userId}`]);
      // A user merge takes this lock too (ticketing/merge.ts): an open that waited for one
      // finds its identity under the surviving user and opens the ticket there, not under
      // the user the merge deleted.
      const { rows: owner } = await client.query<{ user_id: string }>(
        'SELECT user_id FROM identities WHERE id = $1',
        [req.opener.identityId],
      );
      if (owner[0] && owner[0].user_id !== userId) {
        userId = owner[0].user_id;
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ticket-open:${userId}`]);
      }
      const { rows } = await client.query<{
        existing: string | null;
        open: number[] | null;
        recent: Date[] | null;
      }>(
        `SELECT (SELECT id::text FROM tickets WHERE request_key = $1) AS existing,
                (SELECT array_agg(number ORDER BY number) FROM tickets
                  WHERE user_id = $2 AND state <> 'CLOSED') AS open,
                (SELECT array_agg(created_at ORDER BY created_at) FROM tickets
                  WHERE user_id = $2 AND created_at > $3) AS recent`,
        [req.requestKey, userId, new Date(now - HOUR)],
      );
      const row = rows[0]!;
      if (row.existing) id = row.existing;
      else {
        this.checkLimits(row.open ?? [], row.recent ?? []);
        const home = homePlatformFor(
          req.opener.platform,
          this.deps.home,
          this.deps.placesFor?.(req.guildId) ?? this.deps.staffPlaces,
        );
        const due = slaDueTimes(new Date(now), category.priority, settings);
        id = crypto.randomUUID();
        const at = new Date(now);
        const inserted = await client.query<{ number: number; message_id: string }>(
          `WITH t AS (
             INSERT INTO tickets (id, request_key, user_id, identity_id, platform, home_platform, guild_id, category,
                                  subject, answers, priority, tags, opened_at, last_activity_at, last_user_message_at,
                                  sla_first_due_at, sla_resolve_due_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5::"Platform", $6::"Platform", $7, $8, $9, $10::jsonb, $11::"TicketPriority",
                     $12::text[], $13, $13, $13, $14, $15, $13, $13)
             RETURNING id, number
           ), m AS (
             INSERT INTO ticket_messages (ticket_id, kind, author_identity_id, author_name, platform, source_key, body, created_at)
             SELECT t.id, 'USER', $4, $16, $5::"Platform", $17, $18, $13 FROM t RETURNING id
           ), a AS (
             INSERT INTO audit_events (at, actor_user_id, actor_identity_id, action, subject_type, subject_id, details)
             SELECT $13, $3, $4, 'ticket.open', 'ticket', t.id::text,
                    jsonb_build_object('number', t.number, 'category', $8::text, 'home', $6::text) FROM t
           )
           SELECT t.number, m.id::text AS message_id FROM t, m`,
          [
            id,
            req.requestKey,
            userId,
            req.opener.identityId,
            req.opener.platform,
            home,
            req.guildId ?? null,
            category.id,
            description.split('\n')[0]!.slice(0, 120) || category.label.en,
            JSON.stringify(req.answers ?? {}),
            category.priority,
            category.tags,
            at,
            due.firstDueAt,
            due.resolveDueAt,
            req.opener.name.slice(0, 100),
            req.sourceKey ?? 'description',
            description,
          ],
        );
        for (const a of attachmentRows(req.attachments, settings.maxStoredAttachmentBytes)) {
          await client.query(
            `INSERT INTO ticket_attachments (message_id, name, content_type, size, data, source_ref) VALUES ($1, $2, $3, $4, $5, $6)`,
            [
              inserted.rows[0]!.message_id,
              a.name,
              a.contentType,
              a.size,
              a.data ? Buffer.from(a.data) : null,
              a.sourceRef,
            ],
          );
        }
        created = true;
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    const ticket = await this.deps.prisma.ticket.findUniqueOrThrow({ where: { id: id! } });
    return { ticket, created };
  }

  /** Queues the staff-side thread and the SLA timers (again, harmlessly, from the reconciler). */
  async afterOpen(ticket: Ticket): Promise<void> {
    await Promise.all([
      this.deps.jobs.effect({ op: 'open-home', ticketId: ticket.id }),
      this.deps.timers.scheduleSla(ticket),
    ]);
  }

  /** Throws the refusal an open would meet now (checked again, under the lock, at open time). */
  async precheck(userId: string): Promise<void> {
    const now = this.now();
    const [open, recent] = await Promise.all([
      this.deps.prisma.ticket.findMany({
        where: { userId, state: { in: ACTIVE_STATES } },
        select: { number: true },
        orderBy: { number: 'asc' },
      }),
      this.deps.prisma.ticket.findMany({
        where: { userId, createdAt: { gt: new Date(now - HOUR) } },
        select: { createdAt: true },
        orderBy: { createdAt: 'asc' },
      }),
    ]);
    this.checkLimits(
      open.map((t) => t.number),
      recent.map((t) => t.createdAt),
    );
  }

  /** Refusals say when the user can open another ticket. */
  private checkLimits(openNumbers: number[], recentCreated: Date[]): void {
    const { settings } = this.deps;
    if (openNumbers.length >= settings.maxOpenPerUser) {
      throw new TicketError('limit_open', {
        max: settings.maxOpenPerUser,
        numbers: openNumbers.map((n) => `#${n}`).join(', '),
      });
    }
    if (recentCreated.length >= settings.perHour) {
      // The window frees a place when its oldest open leaves it.
      const freeAt = new Date(recentCreated[recentCreated.length - settings.perHour]!.getTime() + HOUR);
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
