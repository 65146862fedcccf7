// Server-side SVG charts: no chart library, no script, readable at any width (viewBox).
// Labels pass through escape(); every number is ours.
import { escape } from './html';

export interface LineSeries {
  name: string;
  color: string;
  values: number[];
}

const W = 640;
const H = 200;
const PAD = { l: 40, r: 10, t: 24, b: 26 };

/** A line chart of several series over the same x labels (first and last labelled). */
export function lineChart(title: string, xLabels: string[], series: LineSeries[]): string {
  const n = Math.max(1, xLabels.length);
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) => PAD.l + ((W - PAD.l - PAD.r) * i) / Math.max(1, n - 1);
  const y = (v: number) => H - PAD.b - ((H - PAD.t - PAD.b) * v) / max;
  const lines = series
    .map(
      (s) =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.values
          .map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`)
          .join(' ')}"><title>${escape(s.name)}</title></polyline>`,
    )
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${PAD.l + i * 110}" y="6" width="10" height="10" fill="${s.color}"/><text x="${PAD.l + i * 110 + 14}" y="15">${escape(s.name)} ${s.values.at(-1) ?? 0}</text>`,
    )
    .join('');
  const grid = [0, 0.5, 1]
    .map((f) => {
      const v = Math.round(max * f);
      return `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e6ea"/><text x="${PAD.l - 4}" y="${y(v) + 4}" text-anchor="end">${v}</text>`;
    })
    .join('');
  const xl = xLabels.length
    ? `<text x="${x(0)}" y="${H - 6}">${escape(xLabels[0]!)}</text><text x="${x(n - 1)}" y="${H - 6}" text-anchor="end">${escape(xLabels[n - 1]!)}</text>`
    : '';
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escape(title)}" font-size="11" font-family="sans-serif">${grid}${lines}${legend}${xl}</svg>`;
}

/** Horizontal bars, one per label (staff stats). */
export function barChart(
  title: string,
  bars: Array<{ label: string; value: number; text?: string }>,
): string {
  const rowH = 22;
  const h = Math.max(1, bars.length) * rowH + 8;
  const max = Math.max(1e-9, ...bars.map((b) => b.value));
  const labelW = 150;
  const rows = bars
    .map((b, i) => {
      const w = ((W - labelW - 60) * Math.max(0, b.value)) / max;
      const yy = 4 + i * rowH;
      return `<text x="${labelW - 6}" y="${yy + 14}" text-anchor="end">${escape(b.label.slice(0, 24))}</text><rect x="${labelW}" y="${yy + 3}" width="${w.toFixed(1)}" height="14" fill="#2457c5"/><text x="${labelW + w + 4}" y="${yy + 14}">${escape(b.text ?? String(b.value))}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${h}" role="img" aria-label="${escape(title)}" font-size="11" font-family="sans-serif">${rows}</svg>`;
}
