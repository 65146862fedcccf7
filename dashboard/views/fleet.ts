// The fleet: nodes online/offline per source over 24 h and 7 d, open incidents, delivery
// failures (who was not reached, and why), and the alert pipeline's health.
import type { FailureRow, IncidentRow, PipelineHealth, Series } from '../fleet';
import { html, raw } from '../html';
import { lineChart } from '../svg';
import { page, type View } from './layout';

const SOURCE_NAMES: Record<string, string> = {
  push: 'push (heartbeats)',
  ionet: 'io.net',
  nosana: 'Nosana',
  akash: 'Akash',
  poll: 'poll',
};
const stamp = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

export interface FleetData {
  day: Series[];
  week: Series[];
  /** fleet_hours is being filled (a fresh install): the charts are incomplete for now. */
  behind?: boolean;
  incidents: IncidentRow[];
  failures: FailureRow[];
  pipeline: PipelineHealth;
}

function charts(v: View, series: Series[], span: string, label: (at: number) => string) {
  return series.map((s) => {
    const name = SOURCE_NAMES[s.source] ?? s.source;
    const svg = lineChart(
      `${name} · ${span}`,
      s.points.map((p) => label(p.at)),
      [
        { name: v.t('dashboard.fleet.online'), color: '#1a7f37', values: s.points.map((p) => p.online) },
        { name: v.t('dashboard.fleet.offline'), color: '#b42318', values: s.points.map((p) => p.offline) },
      ],
    );
    return html`<figure class="card" data-source="${s.source}">
      <figcaption><strong>${name}</strong> · ${span}</figcaption>
      ${raw(svg)}
    </figure>`;
  });
}

export function fleetPage(v: View, d: FleetData): string {
  const hour = (at: number) => new Date(at).toISOString().slice(11, 16);
  const day = (at: number) => new Date(at).toISOString().slice(5, 10);
  const p = d.pipeline;
  const kv = (k: string, val: string | number) =>
    html`<tr>
      <th>${k}</th>
      <td>${val}</td>
    </tr>`;
  const body = html`<h2>${v.t('dashboard.fleet.nodes')}</h2>
    ${d.behind ? html`<p class="flash" id="fleet-behind">${v.t('dashboard.fleet.catchingUp')}</p>` : ''}
    <div class="grid">${charts(v, d.day, v.t('dashboard.fleet.day'), hour)}</div>
    <div class="grid">${charts(v, d.week, v.t('dashboard.fleet.week'), day)}</div>
    <h2>${v.t('dashboard.fleet.pipeline')}</h2>
    <table id="pipeline">
      ${kv(v.t('dashboard.fleet.lag'), p.lag === null ? '—' : `${p.lag} (+${p.pending} pending)`)}
      ${kv(v.t('dashboard.fleet.deadLetters'), [`liveness: ${p.deadLetters}`, ...Object.entries(p.failedJobs).map(([q, n]) => `${q}: ${n}`)].join(' · '))}
      ${kv(
        v.t('dashboard.fleet.throttled'),
        Object.entries(p.throttled)
          .map(([k, n]) => `${k.toLowerCase()}: ${n}`)
          .join(' · ') || '0',
      )}
    </table>
    <h2>${v.t('dashboard.fleet.incidents')}</h2>
    ${
      d.incidents.length
        ? html`<div class="scroll">
            <table id="incidents">
              <tbody>
                ${d.incidents.map(
                  (i) =>
                    html`<tr>
                      <td>${stamp(i.openedAt)}</td>
                      <td>${i.user}</td>
                      <td>${i.down}</td>
                      <td class="pre">${i.nodes.join('\n')}</td>
                      <td>${i.alerts}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p>${v.t('dashboard.fleet.noIncidents')}</p>`
    }
    <h2>${v.t('dashboard.fleet.failures')}</h2>
    ${
      d.failures.length
        ? html`<div class="scroll">
            <table id="failures">
              <tbody>
                ${d.failures.map(
                  (f) =>
                    html`<tr>
                      <td>${stamp(f.at)}</td>
                      <td>${f.user}</td>
                      <td>${f.kind}</td>
                      <td>${f.reason}</td>
                      <td>${f.tried.join(', ')}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p>${v.t('dashboard.fleet.noFailures')}</p>`
    }`;
  return page(v, v.t('dashboard.nav.fleet'), body);
}
