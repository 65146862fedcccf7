// Answers as platform-neutral reply blocks (core/reply): the text, a note when it comes
// from another language's entry, and "Source: <title> (updated <date>)" for each entry
// used. Refusals say "I don't know" and offer a ticket. Entry text is shown as plain text
// blocks, so adapters escape it like any user-visible string.
import { t, type Locale, type MessageKey, type Params } from '../core/i18n';
import { formatTime } from '../core/i18n/format';
import { list, reply, text, title, type Block, type Button, type Reply } from '../core/reply';
import type { Answer } from './answer/compose';
import type { KbProblem } from './kb/entry';
import type { KbVersionInfo } from './kb/store';
import type { PointsReport } from './points';
import type { PublishOutcome } from './service';

export interface TicketOffer {
  /** A button that opens a ticket with the question prefilled (when tickets exist). */
  button?: Button;
}

export function answerBlocks(answer: Answer, locale: Locale): Block[] {
  if (answer.kind === 'unknown') return [text(t(locale, 'assistant.unknown'))];
  const blocks: Block[] = [text(answer.text)];
  if (answer.crossLanguage) blocks.push(text(t(locale, 'assistant.fromOtherLanguage')));
  for (const s of answer.sources) {
    blocks.push(text(t(locale, 'assistant.source', { title: s.title, updated: s.updated })));
  }
  return blocks;
}

export function renderAnswer(answer: Answer, locale: Locale, offer: TicketOffer = {}): Reply {
  const blocks = answerBlocks(answer, locale);
  if (answer.kind === 'answer') return reply(blocks);
  if (offer.button) {
    blocks.push(text(t(locale, 'assistant.ticketOffer')));
    return reply(blocks, { buttons: [[offer.button]] });
  }
  blocks.push(text(t(locale, 'assistant.reachStaff')));
  return reply(blocks);
}

const HINTS: Record<string, MessageKey> = {
  id: 'kb.hint.id',
  lang: 'kb.hint.lang',
  title: 'kb.hint.title',
  updated: 'kb.hint.updated',
  source: 'kb.hint.source',
  tags: 'kb.hint.tags',
  snapshots: 'kb.hint.snapshots',
  season_start: 'kb.hint.updated',
  season_end: 'kb.hint.updated',
};

export function problemText(p: KbProblem, locale: Locale): string {
  const params: Params = { field: p.field ?? '', detail: p.detail ?? '' };
  if (p.code === 'invalid') params.hint = t(locale, HINTS[p.field ?? ''] ?? 'kb.hint.other');
  return t(locale, `kb.problem.${p.code}` as MessageKey, params);
}

export function renderPublish(outcome: PublishOutcome, locale: Locale): Reply {
  if (outcome.kind === 'invalid') {
    return reply([
      text(t(locale, 'kb.publish.invalid')),
      list(outcome.problems.map((p) => problemText(p, locale))),
    ]);
  }
  const { entry, outcome: o, currentVersion } = outcome;
  const base = { id: entry.id, lang: entry.lang, version: o.version };
  if (o.kind === 'unchanged') return reply([text(t(locale, 'kb.publish.unchanged', base))]);
  if (!o.current) {
    return reply([text(t(locale, 'kb.publish.notCurrent', { ...base, current: currentVersion }))]);
  }
  return reply([text(t(locale, 'kb.publish.created', base))]);
}

export function renderHistory(id: string, versions: KbVersionInfo[], locale: Locale): Reply {
  if (versions.length === 0) return reply([text(t(locale, 'kb.history.none', { id }))]);
  return reply([
    title(t(locale, 'kb.history.title', { id })),
    list(
      versions.map((v) =>
        t(locale, 'kb.history.item', {
          version: v.version,
          lang: v.lang,
          updated: v.updated,
          by: v.publishedBy === 'import' ? t(locale, 'kb.history.import') : v.publishedBy,
          at: formatTime(v.createdAt),
          current: v.current ? t(locale, 'kb.history.current') : '',
        }),
      ),
    ),
  ]);
}

const percent = (share: number | null, locale: Locale) =>
  share === null ? t(locale, 'status.uptimeUnknown') : `${(share * 100).toFixed(1)}%`;

export function renderPoints(report: PointsReport, locale: Locale): Reply {
  const blocks: Block[] = [];
  if (report.nodes.length === 0) blocks.push(text(t(locale, 'points.noNodes')));
  else {
    blocks.push(title(t(locale, 'points.title')));
    blocks.push(
      list(
        report.nodes.map((n) =>
          t(locale, 'points.node', {
            node: n.externalId,
            day: percent(n.uptime24h, locale),
            week: percent(n.uptime7d, locale),
            season: percent(n.uptimeSeason, locale),
          }),
        ),
      ),
    );
    blocks.push(
      text(
        report.seasonStart
          ? t(locale, 'points.seasonSince', { start: report.seasonStart })
          : t(locale, 'points.seasonUnknown'),
      ),
    );
    if (report.snapshots.length === 0) blocks.push(text(t(locale, 'points.noSnapshots')));
    else if (report.missedSnapshots.length === 0) blocks.push(text(t(locale, 'points.snapshotsClean')));
    else {
      blocks.push(
        list(
          report.missedSnapshots.map((m) =>
            t(locale, 'points.snapshotMissed', { node: m.externalId, time: formatTime(new Date(m.at)) }),
          ),
        ),
      );
    }
    for (const f of report.figures) {
      blocks.push(
        text(
          t(locale, 'points.figure', {
            node: f.externalId,
            value: f.value,
            unit: f.unit,
            network: t(locale, `network.${f.network}` as MessageKey),
            at: formatTime(f.asOf),
          }),
        ),
      );
    }
  }
  if (report.explanation) {
    blocks.push(text(t(locale, 'points.explanation')));
    blocks.push(...answerBlocks(report.explanation, locale));
  }
  return reply(blocks);
}
