// The /status picture: one row per node over the last 7 days, green while online, red
// while offline, grey before we knew. SVG rendered to PNG with resvg (prebuilt binaries,
// no native build). Text is ASCII only, so it renders with any font the server has.
import { Resvg } from '@resvg/resvg-js';

export interface ChartRow {
  label: string;
  /** Uptime share over the whole window, or null when unknown. */
  share: number | null;
  segments: Array<{ from: number; to: number; state: string }>;
}

const COLORS: Record<string, string> = { ONLINE: '#2eaa4f', OFFLINE: '#d64545', SUSPECT: '#e0a030' };
const esc = (s: string) =>
  s
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

export const MAX_CHART_ROWS = 12;

export function uptimeChartSvg(rows: ChartRow[], start: number, end: number): string {
  const shown = rows.slice(0, MAX_CHART_ROWS);
  const left = 170;
  const width = 720;
  const barW = width - left - 70;
  const rowH = 22;
  const top = 30;
  const height = top + shown.length * rowH + 24;
  const x = (t: number) => left + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * barW;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">Uptime, last 7 days (UTC)</text>`,
  ];
  shown.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(
      `<text x="10" y="${y + 14}">${esc(row.label.length > 24 ? row.label.slice(0, 23) + '~' : row.label)}</text>`,
    );
    parts.push(`<rect x="${left}" y="${y + 3}" width="${barW}" height="${rowH - 8}" fill="#dddddd"/>`);
    for (const s of row.segments) {
      const color = COLORS[s.state];
      if (!color || s.to <= start) continue;
      parts.push(
        `<rect x="${x(s.from).toFixed(1)}" y="${y + 3}" width="${Math.max(0.5, x(s.to) - x(s.from)).toFixed(1)}" height="${rowH - 8}" fill="${color}"/>`,
      );
    }
    parts.push(
      `<text x="${left + barW + 8}" y="${y + 14}">${row.share === null ? 'n/a' : (row.share * 100).toFixed(1) + '%'}</text>`,
    );
  });
  for (let d = 0; d <= 7; d++) {
    const t = start + (d * (end - start)) / 7;
    const label = new Date(t).toISOString().slice(5, 10);
    parts.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${top}" y2="${height - 20}" stroke="#999" stroke-width="0.5"/>`,
    );
    parts.push(`<text x="${x(t) - 16}" y="${height - 6}" font-size="10" fill="#555">${label}</text>`);
  }
  if (rows.length > shown.length)
    parts.push(
      `<text x="${left}" y="${height - 6}" font-size="10">+${rows.length - shown.length} more</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}

export function renderUptimeChart(rows: ChartRow[], start: number, end: number): Buffer {
  const svg = uptimeChartSvg(rows, start, end);
  return Buffer.from(new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng());
}
