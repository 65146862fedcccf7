// The ticket queue's filters and query. Filters come from the page's query string and
// are checked against the enums; anything unknown is ignored, never passed to SQL.
import type { Platform, Prisma, PrismaClient, Ticket, TicketPriority, TicketState } from '@prisma/client';

export const STATES: TicketState[] = ['OPEN', 'WAITING_STAFF', 'WAITING_USER', 'RESOLVED', 'CLOSED'];
export const PRIORITIES: TicketPriority[] = ['URGENT', 'HIGH', 'NORMAL', 'LOW'];
export const PLATFORMS: Platform[] = ['TELEGRAM', 'DISCORD'];

export interface QueueFilter {
  /** A state, or '' for every state but closed. */
  status: TicketState | '';
  priority: TicketPriority | '';
  category: string;
  /** 'me', 'none', a staff member's identity id, or '' for anyone. */
  assignee: string;
  platform: Platform | '';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const pick = <T extends string>(allowed: readonly T[], v: unknown): T | '' =>
  typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : '';

export function parseFilter(q: Record<string, unknown>, categories: readonly string[]): QueueFilter {
  return {
    status: pick(STATES, q.status),
    priority: pick(PRIORITIES, q.priority),
    category: pick(categories, q.category),
    assignee:
      pick(['me', 'none'] as const, q.assignee) ||
      (typeof q.assignee === 'string' && UUID.test(q.assignee) ? q.assignee : ''),
    platform: pick(PLATFORMS, q.platform),
  };
}

export async function queue(
  prisma: PrismaClient,
  f: QueueFilter,
  me: string,
  limit = 200,
): Promise<Ticket[]> {
  const where: Prisma.TicketWhereInput = {
    state: f.status || { not: 'CLOSED' },
    ...(f.priority ? { priority: f.priority } : {}),
    ...(f.category ? { category: f.category } : {}),
    ...(f.platform ? { platform: f.platform } : {}),
    ...(f.assignee === 'me' ? { assigneeIdentityId: me } : {}),
    ...(f.assignee === 'none' ? { assigneeIdentityId: null } : {}),
    ...(UUID.test(f.assignee) ? { assigneeIdentityId: f.assignee } : {}),
  };
  const rows = await prisma.ticket.findMany({ where, orderBy: { number: 'desc' }, take: limit });
  // Most urgent first: the earliest due SLA clock, then priority, then age.
  const due = (t: Ticket) =>
    (t.firstResponseAt ? t.slaResolveDueAt : (t.slaFirstDueAt ?? t.slaResolveDueAt))?.getTime() ?? Infinity;
  return rows.sort(
    (a, b) =>
      due(a) - due(b) ||
      PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) ||
      a.number - b.number,
  );
}

/** Who holds open tickets now: the assignee filter's choices (who is on what). */
export async function assignees(prisma: PrismaClient): Promise<Array<{ id: string; name: string }>> {
  const rows = await prisma.ticket.findMany({
    where: { state: { not: 'CLOSED' }, assigneeIdentityId: { not: null } },
    distinct: ['assigneeIdentityId'],
    select: { assigneeIdentityId: true, assigneeName: true },
    take: 100,
  });
  return rows
    .map((r) => ({ id: r.assigneeIdentityId!, name: r.assigneeName ?? r.assigneeIdentityId! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
