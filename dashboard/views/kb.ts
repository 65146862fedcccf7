// The knowledge base: every current entry, one entry's version history, and publishing
// (the same Assistant.publish as staff /kb publish in chat).
import type { KbEntry, KbVersionInfo } from '../../assistant/kb/store';
import { html } from '../html';
import { csrfField, page, type View } from './layout';

export function kbPage(
  v: View,
  entries: KbEntry[],
  picked: { id: string; history: KbVersionInfo[] } | null,
): string {
  const list = html`<div class="scroll">
    <table id="kb-entries">
      <thead>
        <tr>
          <th>${v.t('dashboard.kb.id')}</th>
          <th>${v.t('dashboard.kb.lang')}</th>
          <th>v</th>
          <th>${v.t('dashboard.col.subject')}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${[...entries]
          .sort((a, b) => a.id.localeCompare(b.id) || a.lang.localeCompare(b.lang))
          .map(
            (e) =>
              html`<tr>
                <td>${e.id}</td>
                <td>${e.lang}</td>
                <td>${e.version}</td>
                <td>${e.title}</td>
                <td><a href="/staff/kb?id=${encodeURIComponent(e.id)}">${v.t('dashboard.kb.history')}</a></td>
              </tr>`,
          )}
      </tbody>
    </table>
  </div>`;
  const history = picked
    ? html`<div class="card" id="kb-history">
        <h2>${picked.id} · ${v.t('dashboard.kb.history')}</h2>
        <ul>
          ${picked.history.map(
            (h) =>
              html`<li>
                ${h.lang} v${h.version}${h.current ? html` <span class="pill">✓</span>` : ''} · ${h.title} ·
                ${h.updated} · ${h.publishedBy} · ${h.createdAt.toISOString().slice(0, 16).replace('T', ' ')}
              </li>`,
          )}
        </ul>
      </div>`
    : '';
  const publish = html`<div class="card">
    <h2>${v.t('dashboard.kb.publish')}</h2>
    <form method="post" action="/staff/kb/publish">
      ${csrfField(v)}<label
        >${v.t('dashboard.kb.text')}
        <textarea
          name="text"
          rows="12"
          required
          placeholder="---&#10;id: …&#10;lang: en&#10;title: …&#10;updated: 2026-01-01&#10;source: …&#10;---&#10;…"
        ></textarea>
      </label>
      <p><button class="primary">${v.t('dashboard.kb.publish')}</button></p>
    </form>
  </div>`;
  return page(
    v,
    v.t('dashboard.nav.kb'),
    html`${history}${publish}
      <h2>${v.t('dashboard.kb.entries')}</h2>
      ${list}`,
  );
}
