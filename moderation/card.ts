// The case card moderators see: one per case and platform, edited in place. It names
// every node id in full, the number of reports, each signal with its numbers and points
// (the score is their sum), a brigading warning, and who did what, when. Buttons carry
// only `moderation:<action>:<case number>` (Telegram callback_data is at most 64 bytes).
import type { CaseState, PrismaClient } from '@prisma/client';
import { t, type Locale, type MessageKey } from '../core/i18n';
import { formatTime } from '../core/i18n/format';
import { list, reply, text, title, type Block, type Button, type Reply } from '../core/reply';
import type { BrigadeFlag } from './abuse';
import { caseRef, isOpen } from './model';
import type { Signal } from './signals';

export const FEATURE_ID = 'moderation';
export const CARD_ACTIONS = ['claim', 'confirm', 'dismiss', 'ask', 'escalate'] as const;
export type CardAction = (typeof CARD_ACTIONS)[number];

/** `moderation:<action>:<case number>`; refuses anything over Telegram's 64 bytes. */
export function buttonId(action: string, caseNumber: number): string {
  const id = `${FEATURE_ID}:${action}:${caseNumber}`;
  if (Buffer.byteLength(id, 'utf8') > 64) throw new Error(`button id over 64 bytes: ${id.slice(0, 40)}…`);
  return id;
}

export interface CaseView {
  id: string;
  number: number;
  state: CaseState;
  origin: 'REPORTED' | 'DETECTED';
  score: number;
  signals: Signal[];
  brigading: BrigadeFlag | null;
  nodeIds: string[];
  /** Distinct people whose reports count. */
  reporters: number;
  /** Every report, repeats included. */
  reports: number;
  /** Files and links kept with the reports. */
  attachments: number;
  assigneeName: string | null;
  decidedByName: string | null;
  decidedAt: Date | null;
  mergedIntoNumber: number | null;
  ticketRef: string | null;
  history: Array<{
    at: Date;
    action: string;
    actorName: string | null;
    details: Record<string, unknown> | null;
  }>;
  version: number;
}

const MAX_NODES_SHOWN = 25;
const MAX_HISTORY = 8;

export async function loadCaseView(prisma: PrismaClient, caseId: string): Promise<CaseView | null> {
  const c = await prisma.moderationCase.findUnique({
    where: { id: caseId },
    include: { nodes: { select: { nodeId: true }, orderBy: [{ addedAt: 'asc' }, { nodeId: 'asc' }] } },
  });
  if (!c) return null;
  const [reports, reporters, history, merged, files] = await Promise.all([
    prisma.caseReport.count({ where: { caseId } }),
    prisma.caseReport.findMany({
      where: { caseId, counted: true },
      distinct: ['reporterUserId'],
      select: { id: true },
    }),
    prisma.caseEvent.findMany({ where: { caseId }, orderBy: { id: 'desc' }, take: MAX_HISTORY }),
    c.mergedIntoId
      ? prisma.moderationCase.findUnique({ where: { id: c.mergedIntoId }, select: { number: true } })
      : null,
    prisma.$queryRaw<Array<{ n: number }>>`
      SELECT COALESCE(sum(jsonb_array_length(attachments)), 0)::int AS n
        FROM moderation_reports WHERE case_id = ${caseId}::uuid AND jsonb_typeof(attachments) = 'array'`,
  ]);
  return {
    id: c.id,
    number: c.number,
    state: c.state,
    origin: c.origin,
    score: c.score,
    signals: (c.signals as unknown as Signal[]) ?? [],
    brigading: (c.brigading as unknown as BrigadeFlag | null) ?? null,
    nodeIds: c.nodes.map((n) => n.nodeId),
    reporters: reporters.length,
    reports,
    attachments: files[0]?.n ?? 0,
    assigneeName: c.assigneeName,
    decidedByName: c.decidedByName,
    decidedAt: c.decidedAt,
    mergedIntoNumber: merged?.number ?? null,
    ticketRef: c.ticketRef && c.ticketRef !== 'pending' ? c.ticketRef : null,
    history: history.reverse().map((e) => ({
      at: e.at,
      action: e.action,
      actorName: e.actorName,
      details: (e.details as Record<string, unknown> | null) ?? null,
    })),
    version: c.version,
  };
}

type P = Record<string, string | number>;

function signalLine(locale: Locale, s: Signal): string {
  const numbers: P = { ...s.numbers, points: s.points };
  if (s.code === 'network_verdict')
    numbers.verdict = t(locale, `moderation.verdict.${String(s.numbers.verdict)}` as MessageKey);
  return t(locale, `moderation.signal.${s.code}` as MessageKey, numbers);
}

function historyLine(locale: Locale, e: CaseView['history'][number]): string {
  const d = e.details ?? {};
  const params: P = {
    time: formatTime(e.at),
    who: e.actorName ?? t(locale, 'moderation.card.system'),
    node: String(d.nodeId ?? ''),
    reason: d.reason ? t(locale, `moderation.reason.${String(d.reason)}` as MessageKey) : '',
    case: d.case ? caseRef(Number(d.case)) : '',
    ticket: String(d.ticket ?? ''),
    nodes: Number(d.nodes ?? 0),
    text: String(d.text ?? '').slice(0, 300),
  };
  const key = `moderation.event.${e.action}` as MessageKey;
  const line = t(locale, key, params);
  return d.counted === false ? `${line} ${t(locale, 'moderation.card.repeat')}` : line;
}

/** The card as platform-neutral blocks (user text stays in plain blocks: adapters escape it). */
export function renderCard(view: CaseView, locale: Locale): Reply {
  const tr = (key: MessageKey, p: P = {}) => t(locale, key, p);
  const ref = caseRef(view.number);
  const blocks: Block[] = [
    title(
      tr('moderation.card.title', {
        case: ref,
        state: tr(`moderation.state.${view.state}` as MessageKey),
        origin: tr(`moderation.origin.${view.origin}` as MessageKey),
      }),
    ),
  ];
  if (view.state === 'MERGED') {
    blocks.push(text(tr('moderation.card.merged', { case: caseRef(view.mergedIntoNumber ?? 0) })));
    return reply(blocks);
  }
  const shown = view.nodeIds.slice(0, MAX_NODES_SHOWN);
  const more = view.nodeIds.length - shown.length;
  if (view.nodeIds.length === 1) blocks.push(text(tr('moderation.card.node', { node: shown[0]! })));
  else {
    blocks.push(text(tr('moderation.card.nodes', { count: view.nodeIds.length })));
    blocks.push(list(more > 0 ? [...shown, tr('moderation.card.moreNodes', { count: more })] : shown));
  }
  blocks.push(text(tr('moderation.card.reports', { reports: view.reporters, total: view.reports })));
  if (view.attachments > 0) blocks.push(text(tr('moderation.card.attachments', { count: view.attachments })));
  blocks.push(text(tr('moderation.card.score', { score: view.score })));
  blocks.push(
    view.signals.length
      ? list(view.signals.map((s) => signalLine(locale, s)))
      : text(tr('moderation.card.noSignals')),
  );
  if (view.brigading)
    blocks.push(
      text(
        tr('moderation.card.brigading', {
          reporters: view.brigading.reports,
          minutes: view.brigading.windowMinutes,
          young: view.brigading.young,
          hours: view.brigading.youngAccountHours,
          close: view.brigading.closeTogether,
        }),
      ),
    );
  if (view.assigneeName) blocks.push(text(tr('moderation.card.assignee', { who: view.assigneeName })));
  if (view.ticketRef) blocks.push(text(tr('moderation.card.ticket', { ticket: view.ticketRef })));
  if (view.decidedAt)
    blocks.push(
      text(
        tr(view.state === 'CONFIRMED' ? 'moderation.card.confirmed' : 'moderation.card.dismissed', {
          who: view.decidedByName ?? '',
          time: formatTime(view.decidedAt),
        }),
      ),
    );
  if (view.history.length) {
    blocks.push(text(tr('moderation.card.history')));
    blocks.push(list(view.history.map((e) => historyLine(locale, e))));
  }
  if (!isOpen(view.state)) return reply(blocks);
  const b = (action: CardAction, key: MessageKey, style?: Button['style']): Button => ({
    id: buttonId(action, view.number),
    label: tr(key),
    ...(style ? { style } : {}),
  });
  return reply(blocks, {
    buttons: [
      [
        b('claim', 'moderation.button.claim', 'primary'),
        b('confirm', 'moderation.button.confirm', 'danger'),
        b('dismiss', 'moderation.button.dismiss', 'secondary'),
      ],
      [b('ask', 'moderation.button.ask'), b('escalate', 'moderation.button.escalate')],
    ],
  });
}

/** Plain text of a reply, for tickets' context cards, logs and the tests. */
export function replyText(r: Reply): string {
  return r.blocks
    .map((b) => (b.kind === 'list' ? b.items.map((i) => `• ${i}`).join('\n') : b.text))
    .join('\n');
}
