// Dates mentioned in a text, as keys ("04-28" for a day, "2025-05" for a month of a year,
// "y2025", "q3", "~tomorrow"), so an answer can be checked to state only dates its cited
// entries state (an AI answer that adds one is discarded). Relative dates count too: "the
// TGE is tomorrow" is a date no entry stated.
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** Relative dates, English and Chinese. */
const RELATIVE = new RegExp(
  [
    '\\b(?:today|tonight|tomorrow|yesterday)\\b',
    '\\b(?:next|this|coming|last)\\s+(?:week|month|year|quarter|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b',
    '\\bin\\s+(?:a|one|two|three|\\d+)\\s+(?:days?|weeks?|months?)\\b',
    '今天|今晚|明天|后天|昨天|下周|下星期|下个?月|明年|本周|本月|今年|几天后|下季度',
  ].join('|'),
  'g',
);

export function datesIn(text: string): Set<string> {
  const out = new Set<string>();
  const t = text.normalize('NFKC').toLowerCase();
  for (const m of t.matchAll(/\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/g))
    out.add(`${pad(+m[2]!)}-${pad(+m[3]!)}`);
  for (const m of t.matchAll(/(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]/g))
    out.add(`${pad(+m[1]!)}-${pad(+m[2]!)}`);
  const month = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
  for (const m of t.matchAll(new RegExp(`\\b${month}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`, 'g'))) {
    out.add(`${pad(MONTHS.indexOf(m[1]!) + 1)}-${pad(+m[2]!)}`);
  }
  for (const m of t.matchAll(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${month}`, 'g'))) {
    out.add(`${pad(MONTHS.indexOf(m[2]!) + 1)}-${pad(+m[1]!)}`);
  }
  for (const m of t.matchAll(new RegExp(`\\b${month}\\s+(?:of\\s+)?(20\\d\\d)\\b`, 'g')))
    out.add(`${m[2]}-${pad(MONTHS.indexOf(m[1]!) + 1)}`);
  for (const m of t.matchAll(/(20\d\d)\s*年\s*(\d{1,2})\s*月/g)) out.add(`${m[1]}-${pad(+m[2]!)}`);
  for (const m of t.matchAll(/(?<![\d.])(20\d\d)(?![\d.])/g)) out.add(`y${m[1]}`);
  for (const m of t.matchAll(/\b(q[1-4])\b|第\s*([一二三四1-4])\s*季度/g)) {
    const zh = m[2] ? '一二三四'.indexOf(m[2]) + 1 || Number(m[2]) : 0;
    out.add(m[1] ?? `q${zh}`);
  }
  for (const m of t.matchAll(RELATIVE)) out.add(`~${m[0].replace(/\s+/g, ' ')}`);
  return out;
}

/** Dates in `answer` that none of `sources` states. */
export function unstatedDates(answer: string, sources: string[]): string[] {
  const known = new Set(sources.flatMap((s) => [...datesIn(s)]));
  return [...datesIn(answer)].filter((d) => !known.has(d));
}
