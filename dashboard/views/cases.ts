// The case queue: each open case with its score, named signals and their numbers, its
// nodes, its reporters with their reputation, and confirm/dismiss for moderators.
import { t, type MessageKey } from '../../core/i18n';
import { caseRef } from '../../moderation/model';
import type { CaseRow } from '../cases';
import { html } from '../html';
import { csrfField, page, type View } from './layout';

export function casesPage(v: View, rows: CaseRow[]): string {
  const signal = (s: CaseRow['signals'][number]) =>
    t(v.locale, `moderation.signal.${s.code}` as MessageKey, { ...s.numbers, points: s.points });
  const decide = (c: CaseRow) =>
    v.moderator
      ? html`<p>
          ${(['confirm', 'dismiss'] as const).map(
            (d) =>
              html`<form method="post" action="/staff/cases/${c.number}/${d}" class="inline">
                ${csrfField(v)}
                <button class="${d === 'confirm' ? 'danger' : ''}">
                  ${v.t(d === 'confirm' ? 'dashboard.cases.confirm' : 'dashboard.cases.dismiss')}
                </button>
              </form> `,
          )}
        </p>`
      : html`<p class="meta">${v.t('dashboard.cases.moderatorsOnly')}</p>`;
  const body = rows.length
    ? html`${rows.map(
        (c) =>
          html`<article class="card" data-case="${caseRef(c.number)}">
            <h2>
              #${caseRef(c.number)} · ${t(v.locale, `moderation.state.${c.state}` as MessageKey)} ·
              ${v.t('dashboard.cases.score', { score: c.score })}
            </h2>
            <p class="meta">
              ${c.origin.toLowerCase()} ·
              ${c.createdAt.toISOString().slice(0, 16).replace('T', ' ')}${c.assigneeName ? html` · ${c.assigneeName}` : ''}
            </p>
            <h3>${v.t('dashboard.cases.signals')}</h3>
            <ul>
              ${c.signals.map((s) => html`<li>${signal(s)}</li>`)}
            </ul>
            <h3>${v.t('dashboard.cases.nodes')}</h3>
            <p class="pre">${c.nodeIds.join('\n')}</p>
            <h3>${v.t('dashboard.cases.reporters')}</h3>
            <ul>
              ${c.reporters.map(
                (r) =>
                  html`<li>
                    ${r.name} · ${t(v.locale, `moderation.reason.${r.reason}` as MessageKey)} ·
                    ${v.t('dashboard.cases.reputation', { weight: r.reputation, confirmed: r.confirmed, dismissed: r.dismissed })}
                    ${r.text ? html`<div class="pre meta">${r.text}</div>` : ''}
                  </li>`,
              )}
            </ul>
            ${decide(c)}
          </article>`,
      )}`
    : html`<p>${v.t('dashboard.cases.empty')}</p>`;
  return page(v, v.t('dashboard.nav.cases'), body);
}
