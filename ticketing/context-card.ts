// The first message of every ticket thread/topic: who the user is across platforms, what
// they own (wallets and node ids in full, each node's state and 7-day uptime), whether an
// outage is open, and their recent tickets, so staff need not ask.
import type { PrismaClient, Ticket } from '@prisma/client';
import { t } from '../core/i18n';
import { formatTime } from '../core/i18n/format';
import { list, reply, text, title, type Reply } from '../core/reply';
import { localize, type Categories } from './categories';
import { STAFF_LOCALE, stateLabel } from './render';

/** What the card needs from the notifier: the user's nodes and open incident. */
export interface NodeStatusSource {
  forUser(userId: string): Promise<{
    nodes: Array<{ externalId: string; state: string; uptime7d: number | null }>;
    incident: { since: Date; down: number } | null;
  }>;
}

export interface ContextCardData {
  ticket: Ticket;
  userName: string;
  identities: Array<{
    platform: string;
    username: string | null;
    platformUserId: string;
    dmReachable: boolean;
  }>;
  wallets: Array<{ chain: string; address: string }>;
  nodes: Array<{ externalId: string; state: string; uptime7d: number | null }>;
  incident: { since: Date; down: number } | null;
  recent: Ticket[];
}

export async function loadContextCard(
  prisma: PrismaClient,
  status: NodeStatusSource,
  ticket: Ticket,
): Promise<ContextCardData> {
  const [identities, wallets, nodeStatus, recent, opener] = await Promise.all([
    prisma.identity.findMany({ where: { userId: ticket.userId }, orderBy: { createdAt: 'asc' } }),
    prisma.wallet.findMany({ where: { userId: ticket.userId }, orderBy: { verifiedAt: 'asc' } }),
    status.forUser(ticket.userId),
    prisma.ticket.findMany({
      where: { userId: ticket.userId, id: { not: ticket.id } },
      orderBy: { number: 'desc' },
      take: 5,
    }),
    prisma.ticketMessage.findFirst({ where: { ticketId: ticket.id, kind: 'USER' }, orderBy: { id: 'asc' } }),
  ]);
  return {
    ticket,
    userName: opener?.authorName ?? identities[0]?.username ?? '—',
    identities,
    wallets,
    nodes: nodeStatus.nodes,
    incident: nodeStatus.incident,
    recent,
  };
}

const pct = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);
const platformName = (p: string) => (p === 'TELEGRAM' ? 'Telegram' : 'Discord');

export function renderContextCard(d: ContextCardData, categories: Categories): Reply {
  const l = STAFF_LOCALE;
  const c = categories.get(d.ticket.category);
  const none = t(l, 'tickets.card.none');
  const categoryName = (id: string) => {
    const cat = categories.get(id);
    return cat ? localize(cat.label, l) : id;
  };
  const answers = Object.entries((d.ticket.answers ?? {}) as Record<string, string>).map(([id, answer]) => {
    const q = c?.questions.find((x) => x.id === id);
    const shown =
      q?.kind === 'select' ? (q.options?.find((o) => o.value === answer)?.label.en ?? answer) : answer;
    return t(l, 'tickets.card.answer', { question: q ? localize(q.prompt, l) : id, answer: shown });
  });
  return reply([
    title(
      t(l, 'tickets.card.title', {
        number: d.ticket.number,
        category: categoryName(d.ticket.category),
        priority: d.ticket.priority.toLowerCase(),
      }),
    ),
    text(t(l, 'tickets.card.user', { name: d.userName })),
    text(
      t(l, 'tickets.card.from', {
        platform: platformName(d.ticket.platform),
        home: platformName(d.ticket.homePlatform),
      }),
    ),
    ...(answers.length ? [title(t(l, 'tickets.card.answers')), list(answers)] : []),
    title(t(l, 'tickets.card.platforms')),
    list(
      d.identities.map((i) =>
        t(l, 'tickets.card.platform', {
          platform: platformName(i.platform),
          name: i.username ? `${i.username} (${i.platformUserId})` : i.platformUserId,
          unreachable: i.dmReachable ? '' : t(l, 'tickets.card.unreachable'),
        }),
      ),
    ),
    title(t(l, 'tickets.card.wallets')),
    d.wallets.length ? list(d.wallets.map((w) => `${w.chain.toLowerCase()}: ${w.address}`)) : text(none),
    title(t(l, 'tickets.card.nodes')),
    d.nodes.length
      ? list(
          d.nodes.map((n) =>
            t(l, 'tickets.card.node', {
              node: n.externalId,
              state: n.state.toLowerCase(),
              uptime: pct(n.uptime7d),
            }),
          ),
        )
      : text(none),
    text(
      d.incident
        ? t(l, 'tickets.card.incident', { since: formatTime(d.incident.since), down: d.incident.down })
        : t(l, 'tickets.card.noIncident'),
    ),
    title(t(l, 'tickets.card.recent')),
    d.recent.length
      ? list(
          d.recent.map((r) =>
            t(l, 'tickets.card.recentItem', {
              number: r.number,
              category: categoryName(r.category),
              state: stateLabel(r.state, l),
              date: formatTime(r.openedAt),
            }),
          ),
        )
      : text(none),
  ]);
}
