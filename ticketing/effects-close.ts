// What closing a ticket does on the platforms (transcript stored, staff told, the user told
// with a rating prompt and their transcript, the log, the thread closed), and the notices
// (close request, SLA warnings, inactivity warning, unreachable user). Each close step is
// flagged in Redis once done, so a retry after a failure in step 4 does not repeat 1-3.
import type { Platform, Ticket } from '@prisma/client';
import type { Target } from '../core/conversation';
import { resolveLocale, t as tr, type Locale } from '../core/i18n';
import { reply, text, title, type Reply } from '../core/reply';
import type { TicketEffects } from './effects';
import { isFailure, must } from './effects';
import { parseHomeRef } from './home';
import {
  closedForUser,
  closeRequestForUser,
  duration,
  notice,
  staffClosedNotice,
  STAFF_LOCALE,
} from './render';
import { buildTranscript } from './transcript';

async function userTarget(fx: TicketEffects, t: Ticket): Promise<{ target: Target; locale: Locale } | null> {
  const identity = await fx.deps.prisma.identity.findUnique({ where: { id: t.identityId } });
  if (!identity) return null;
  return {
    target: {
      kind: 'dm',
      platform: identity.platform as Platform,
      platformUserId: identity.platformUserId,
      dmChatId: identity.dmChatId,
    },
    locale: resolveLocale(identity.locale),
  };
}

export async function runCloseSteps(fx: TicketEffects, t: Ticket): Promise<unknown> {
  if (t.state !== 'CLOSED' || !t.closedAt) return { skipped: 'not closed' };
  const { prisma, hub, port } = fx.deps;
  const flag = (step: string) => `${hub.prefix}:ticket-closed:${t.id}:${t.closedAt!.getTime()}:${step}`;
  const once = async (step: string, fn: () => Promise<void>) => {
    if (await hub.redis.exists(flag(step))) return;
    await fn();
    await hub.redis.set(flag(step), '1', 'EX', 30 * 86_400);
  };
  const messages = await prisma.ticketMessage.findMany({
    // `sourceKey` is null for system lines: NOT(startsWith) alone would drop them (SQL NULL).
    where: { ticketId: t.id, OR: [{ sourceKey: null }, { NOT: { sourceKey: { startsWith: 'card:' } } }] },
    orderBy: { id: 'asc' },
    include: { attachments: { select: { name: true, size: true, contentType: true } } },
  });
  const label = fx.categoryLabel(t);
  const staffCopy = buildTranscript(t, label, messages, { includeNotes: true });
  const userCopy = buildTranscript(t, label, messages, { includeNotes: false });
  const file = (html: string, suffix = '') => ({
    name: `ticket-${t.number}${suffix}.html`,
    contentType: 'text/html',
    data: Buffer.from(html, 'utf8'),
  });
  await prisma.ticketTranscript.upsert({
    where: { ticketId: t.id },
    create: { ticketId: t.id, html: staffCopy.html, text: staffCopy.text },
    update: { html: staffCopy.html, text: staffCopy.text },
  });
  const home = parseHomeRef(t.homeRef);
  const closer = t.closedById ? await prisma.identity.findUnique({ where: { id: t.closedById } }) : null;
  const closerName =
    (t.closedById &&
      (
        await prisma.ticketMessage.findFirst({
          where: { authorIdentityId: t.closedById },
          orderBy: { id: 'desc' },
        })
      )?.authorName) ||
    closer?.username ||
    null;
  if (home)
    await once(
      'home',
      async () => void must(await port.postHome(home, staffClosedNotice(t, closerName)), 'closed notice'),
    );
  const user = await userTarget(fx, t);
  if (user) {
    await once(
      'user',
      async () =>
        void must(await port.conversation.post(user.target, closedForUser(t, user.locale)), 'closed to user'),
    );
    await once('user-transcript', async () => {
      const caption = tr(user.locale, 'tickets.transcriptCaption', { number: t.number });
      must(await port.conversation.sendFile(user.target, file(userCopy.html), caption), 'transcript to user');
    });
  }
  await once('log', async () => {
    const log = await port.logTarget(t.homePlatform);
    if (!log) return;
    const opener = messages.find((m) => m.kind === 'USER')?.authorName ?? '—';
    const head: Reply = reply([
      title(tr(STAFF_LOCALE, 'tickets.staff.logTitle', { number: t.number, category: label, user: opener })),
      ...(t.closeReason ? [text(t.closeReason)] : []),
    ]);
    must(await port.conversation.post(log, head), 'log');
    must(await port.conversation.sendFile(log, file(staffCopy.html)), 'log transcript');
    must(
      await port.conversation.sendFile(log, {
        name: `ticket-${t.number}.txt`,
        contentType: 'text/plain',
        data: Buffer.from(staffCopy.text, 'utf8'),
      }),
      'log transcript text',
    );
  });
  if (home)
    await once('thread', async () => {
      const r = await port.conversation.closeThread(home, { archive: true, lock: false });
      // An already closed topic is fine; anything else transient is retried.
      if (!r.ok && r.kind !== 'permanent') must(r, 'close thread');
    });
  return { closed: true };
}

export type NoticeKind =
  | 'close_request'
  | 'kept_open'
  | 'unreachable'
  | 'reopened'
  | 'idle_warning'
  | 'sla-first-warn'
  | 'sla-first-breach'
  | 'sla-resolve-warn'
  | 'sla-resolve-breach'
  | 'rated'
  | 'mirror_reply'
  | 'mirror_note'
  | 'mirror_claim';

const SLA_KEYS = {
  'sla-first-warn': 'tickets.staff.slaFirstWarn',
  'sla-first-breach': 'tickets.staff.slaFirstBreach',
  'sla-resolve-warn': 'tickets.staff.slaResolveWarn',
  'sla-resolve-breach': 'tickets.staff.slaResolveBreach',
} as const;

export async function runNotice(
  fx: TicketEffects,
  t: Ticket,
  kind: string,
  side: 'home' | 'user' | 'both',
  params: Record<string, string | number>,
): Promise<unknown> {
  const { port } = fx.deps;
  const l = STAFF_LOCALE;
  const home = parseHomeRef(t.homeRef);
  const toHome = async (r: Reply) => {
    if (home && side !== 'user') must(await port.postHome(home, r), `notice ${kind}`);
  };
  const toUser = async (make: (locale: Locale) => Reply) => {
    if (side === 'home') return;
    const user = await userTarget(fx, t);
    if (!user) return;
    const r = must(await port.conversation.post(user.target, make(user.locale)), `notice ${kind} to user`);
    if (isFailure(r) && r.blocked && home)
      await port.postHome(home, notice(tr(l, 'tickets.staff.unreachable')));
  };
  const left = typeof params.leftMs === 'number' ? params.leftMs : 0;
  // Done on the dashboard before the thread opened: retried (with backoff) until it has.
  if (kind.startsWith('mirror_') && !home && port.staffPlaces.has(t.homePlatform))
    throw new Error(`notice ${kind}: no thread yet`);
  switch (kind) {
    case 'close_request':
      await toHome(notice(tr(l, 'tickets.staff.closeRequested')));
      await toUser((loc) => closeRequestForUser(t, loc));
      break;
    case 'kept_open':
      await toHome(notice(tr(l, 'tickets.staff.keptOpen')));
      await toUser((loc) => notice(tr(loc, 'tickets.keptOpen', { number: t.number })));
      break;
    case 'unreachable':
      await toHome(notice(tr(l, 'tickets.staff.unreachable')));
      break;
    case 'reopened':
      await toHome(notice(tr(l, 'tickets.staff.reopened')));
      await toUser((loc) => notice(tr(loc, 'tickets.reopened', { number: t.number })));
      break;
    case 'idle_warning':
      await toUser((loc) =>
        notice(tr(loc, 'tickets.idleWarning', { number: t.number, left: duration(loc, left) })),
      );
      await toHome(notice(tr(l, 'tickets.staff.idleWarned', { left: duration(l, left) })));
      break;
    case 'rated':
      await toHome(notice(tr(l, 'tickets.staff.rated', { number: t.number, score: params.score ?? '?' })));
      break;
    case 'mirror_reply':
    case 'mirror_note': {
      // Written on the dashboard: the thread shows who wrote what, the text as written.
      const m = await fx.deps.prisma.ticketMessage.findUnique({ where: { id: BigInt(params.message ?? 0) } });
      if (!m) break;
      const key = kind === 'mirror_reply' ? 'tickets.staff.dashboardReply' : 'tickets.staff.dashboardNote';
      await toHome(reply([title(tr(l, key, { name: m.authorName ?? '—' })), text(m.body)]));
      break;
    }
    case 'mirror_claim':
      await toHome(
        notice(tr(l, 'tickets.staff.dashboardClaim', { name: params.name ?? '—', number: t.number })),
      );
      break;
    case 'sla-first-warn':
    case 'sla-first-breach':
    case 'sla-resolve-warn':
    case 'sla-resolve-breach': {
      const line = tr(l, SLA_KEYS[kind], { left: duration(l, left), priority: t.priority.toLowerCase() });
      const r = reply([title(`#${t.number}`), text(line)]);
      await toHome(r);
      // Private threads notify only their members: the log reaches every staff member.
      const log = await port.logTarget(t.homePlatform);
      if (log) must(await port.conversation.post(log, r), 'sla to log');
      break;
    }
  }
  return { notice: kind };
}
