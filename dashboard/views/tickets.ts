// The ticket queue and one ticket: SLA clocks, filters, bulk claim; the transcript, the
// context card and the staff actions. Forms post to /staff/tickets/... with the CSRF token.
import type { Ticket, TicketMessage } from '@prisma/client';
import { formatDuration } from '../../core/i18n/format';
import type { Categories } from '../../ticketing/categories';
import { localize } from '../../ticketing/categories';
import { stateLabel } from '../../ticketing/render';
import type { Reply } from '../../core/reply';
import { html, replyHtml, type Html } from '../html';
import { PLATFORMS, PRIORITIES, STATES, type QueueFilter } from '../queue';
import { csrfField, page, type View } from './layout';

/** An SLA clock: live in the browser (data-due), right on first paint too. */
export function slaClock(v: View, t: Ticket, now = Date.now()): Html {
  const first = !t.firstResponseAt && t.slaFirstDueAt;
  const due = first ? t.slaFirstDueAt : t.state === 'CLOSED' ? null : t.slaResolveDueAt;
  if (!due) return html`<span class="meta">${v.t('dashboard.sla.met')}</span>`;
  const left = due.getTime() - now;
  const word = v.t(first ? 'dashboard.sla.first' : 'dashboard.sla.resolve');
  const inT = v.t('dashboard.sla.in', { time: '{time}' });
  const overT = v.t('dashboard.sla.overdue', { time: '{time}' });
  const shown = (left < 0 ? overT : inT).replace('{time}', formatDuration(v.locale, Math.abs(left)));
  return html`<span class="meta">${word}</span>
    <span
      data-due="${due.getTime()}"
      data-in="${inT}"
      data-over="${overT}"
      class="${left < 0 ? 'overdue' : left < 3_600_000 ? 'soon' : ''}"
      >${shown}</span
    >`;
}

function select(name: string, current: string, options: Array<[string, string]>, any: string): Html {
  return html`<select name="${name}">
    <option value="">${any}</option>
    ${options.map(
      ([value, label]) =>
        html`<option value="${value}" ${value === current ? html` selected` : ''}>${label}</option>`,
    )}
  </select>`;
}

export function queuePage(
  v: View,
  f: QueueFilter,
  rows: Ticket[],
  categories: Categories,
  staff: Array<{ id: string; name: string }> = [],
): string {
  const any = v.t('dashboard.filter.any');
  const cat = (id: string) => {
    const c = categories.get(id);
    return c ? localize(c.label, v.locale) : id;
  };
  const label = (k: Parameters<View['t']>[0], control: Html) => html`<label>${v.t(k)}${control}</label>`;
  const filters = html`<form method="get" action="/staff" class="filters">
    ${label(
      'dashboard.col.status',
      select(
        'status',
        f.status,
        STATES.map((s) => [s, stateLabel(s, v.locale)]),
        any,
      ),
    )}
    ${label(
      'dashboard.col.priority',
      select(
        'priority',
        f.priority,
        PRIORITIES.map((p) => [p, p.toLowerCase()]),
        any,
      ),
    )}
    ${label(
      'dashboard.col.category',
      select(
        'category',
        f.category,
        categories.list.map((c) => [c.id, cat(c.id)]),
        any,
      ),
    )}
    ${label(
      'dashboard.col.assignee',
      select(
        'assignee',
        f.assignee,
        [
          ['me', v.t('dashboard.filter.mine')],
          ['none', v.t('dashboard.filter.unassigned')],
          ...staff.map((s): [string, string] => [s.id, s.name]),
        ],
        any,
      ),
    )}
    ${label(
      'dashboard.col.platform',
      select(
        'platform',
        f.platform,
        PLATFORMS.map((p) => [p, p === 'TELEGRAM' ? 'Telegram' : 'Discord']),
        any,
      ),
    )}
    <button>${v.t('dashboard.filter.apply')}</button>
  </form>`;
  const body = rows.length
    ? html`<form method="post" action="/staff/tickets/claim">
        ${csrfField(v)}
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th><input type="checkbox" id="select-all" aria-label="all" /></th>
                <th>${v.t('dashboard.col.number')}</th>
                <th>${v.t('dashboard.col.subject')}</th>
                <th>${v.t('dashboard.col.status')}</th>
                <th>${v.t('dashboard.col.priority')}</th>
                <th>${v.t('dashboard.col.sla')}</th>
                <th>${v.t('dashboard.col.assignee')}</th>
                <th>${v.t('dashboard.col.category')}</th>
                <th>${v.t('dashboard.col.platform')}</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (t) =>
                  html`<tr data-ticket="${t.number}">
                    <td>
                      <input type="checkbox" name="ticket" value="${t.number}" aria-label="#${t.number}" />
                    </td>
                    <td><a href="/staff/tickets/${t.number}">#${t.number}</a></td>
                    <td><a href="/staff/tickets/${t.number}">${t.subject}</a></td>
                    <td>${stateLabel(t.state, v.locale)}</td>
                    <td><span class="pill">${t.priority.toLowerCase()}</span></td>
                    <td>${slaClock(v, t)}</td>
                    <td>${t.assigneeName ?? '—'}</td>
                    <td>${cat(t.category)}</td>
                    <td>${t.platform.toLowerCase()}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
        <p><button class="primary">${v.t('dashboard.queue.claimSelected')}</button></p>
      </form>`
    : html`<p>${v.t('dashboard.queue.empty')}</p>`;
  return page(v, v.t('dashboard.nav.queue'), html`${filters}${body}`);
}

export function ticketPage(
  v: View,
  t: Ticket,
  messages: TicketMessage[],
  card: Reply,
  categories: Categories,
): string {
  const c = categories.get(t.category);
  const post = (action: string, inner: Html) =>
    html`<form method="post" action="/staff/tickets/${t.number}/${action}">${csrfField(v)}${inner}</form>`;
  const transcript = messages.map(
    (m) =>
      html`<div class="msg ${m.kind}">
        <div class="meta">
          ${v.t(`dashboard.ticket.kind.${m.kind}`)} · ${m.authorName ?? ''} ·
          ${m.createdAt.toISOString().slice(0, 16).replace('T', ' ')}
        </div>
        <div class="pre">${m.body}</div>
      </div>`,
  );
  const open = t.state !== 'CLOSED';
  const actions = open
    ? html`<div class="card">
        <h2>${v.t('dashboard.ticket.reply')}</h2>
        ${post(
          'reply',
          html`<textarea name="text" required maxlength="4000"></textarea>
            <p><button class="primary">${v.t('dashboard.ticket.send')}</button></p>`,
        )}
        <h2>${v.t('dashboard.ticket.note')}</h2>
        ${post(
          'note',
          html`<textarea name="text" required maxlength="4000"></textarea>
            <p><button>${v.t('dashboard.ticket.saveNote')}</button></p>`,
        )}
        <p>${post('claim', html`<button>${v.t('dashboard.ticket.claim')}</button>`)}</p>
        ${post(
          'close',
          html`<label
              >${v.t('dashboard.ticket.closeReason')} <input type="text" name="reason" maxlength="500"
            /></label>
            <button class="danger">${v.t('dashboard.ticket.close')}</button>`,
        )}
      </div>`
    : '';
  const body = html`<p>
      ${stateLabel(t.state, v.locale)} · <span class="pill">${t.priority.toLowerCase()}</span> ·
      ${c ? localize(c.label, v.locale) : t.category} · ${t.assigneeName ?? '—'} · ${slaClock(v, t)}
    </p>
    <div class="grid">
      <section>
        <h2>${v.t('dashboard.ticket.transcript')}</h2>
        ${transcript}
      </section>
      <section>
        ${actions}
        <div class="card">
          <h2>${v.t('dashboard.ticket.context')}</h2>
          ${replyHtml(card)}
        </div>
      </section>
    </div>`;
  return page(v, `#${t.number} · ${t.subject}`, body);
}
