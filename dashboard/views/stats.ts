// Staff stats: per staff member first response, resolution and rating (bars), and each
// figure per week over the last weeks (lines, one per staff member).
import type { StaffStats } from '../../ticketing/stats';
import type { MessageKey } from '../../core/i18n';
import { html, raw } from '../html';
import type { WeekRow } from '../stats';
import { barChart, lineChart } from '../svg';
import { page, type View } from './layout';

const COLORS = ['#2457c5', '#1a7f37', '#b42318', '#bf8700', '#8250df', '#0a7ea4'];
const minutes = (ms: number | null) => (ms === null ? 0 : Math.round(ms / 60_000));
const hours = (ms: number | null) => (ms === null ? 0 : Math.round(ms / 360_000) / 10);

export function statsPage(v: View, totals: StaffStats[], weeks: WeekRow[]): string {
  if (!totals.length) return page(v, v.t('dashboard.nav.stats'), html`<p>${v.t('dashboard.stats.none')}</p>`);
  const figures: Array<[MessageKey, (s: StaffStats) => number, (w: WeekRow) => number]> = [
    ['dashboard.stats.handled', (s) => s.handled, (w) => w.handled],
    ['dashboard.stats.firstResponse', (s) => minutes(s.firstResponseMs), (w) => minutes(w.firstMs)],
    ['dashboard.stats.resolution', (s) => hours(s.resolutionMs), (w) => hours(w.resolutionMs)],
    [
      'dashboard.stats.rating',
      (s) => Math.round((s.rating ?? 0) * 10) / 10,
      (w) => Math.round((w.rating ?? 0) * 10) / 10,
    ],
  ];
  const weekKeys = [...new Set(weeks.map((w) => w.week.toISOString().slice(0, 10)))];
  const people = totals.slice(0, COLORS.length);
  const charts = figures.map(([key, total, weekly]) => {
    const bars = barChart(
      v.t(key),
      totals.map((s) => ({ label: s.name, value: total(s) })),
    );
    const lines = lineChart(
      v.t(key),
      weekKeys,
      people.map((p, i) => ({
        name: p.name,
        color: COLORS[i]!,
        values: weekKeys.map((k) => {
          const w = weeks.find((x) => x.staff === p.identityId && x.week.toISOString().slice(0, 10) === k);
          return w ? weekly(w) : 0;
        }),
      })),
    );
    return html`<figure class="card">
      <figcaption><strong>${v.t(key)}</strong></figcaption>
      ${raw(bars)}
      <p class="meta">${v.t('dashboard.stats.weekly')}</p>
      ${raw(lines)}
    </figure>`;
  });
  return page(v, v.t('dashboard.nav.stats'), html`<div class="grid">${charts}</div>`);
}
