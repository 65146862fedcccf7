// Dates mentioned in a text, as month-day keys ("04-28"), so an answer can be checked to
// state only dates its cited entries state (an AI answer that adds one is discarded).
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const pad = (n: number) => String(n).padStart(2, '0');

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
  return out;
}

/** Dates in `answer` that none of `sources` states. */
export function unstatedDates(answer: string, sources: string[]): string[] {
  const known = new Set(sources.flatMap((s) => [...datesIn(s)]));
  return [...datesIn(answer)].filter((d) => !known.has(d));
}
