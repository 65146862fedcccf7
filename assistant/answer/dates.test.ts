// An answer may state a date only when a cited entry states it: absolute, month-of-year,
// year, quarter and relative dates ("tomorrow", "下周") all count.
import { datesIn, unstatedDates } from './dates';

describe('dates in answers', () => {
  it('finds absolute, month, year, quarter and relative dates in English and Chinese', () => {
    expect([...datesIn('Announced 2024-04-28, moved to May 15th.')]).toEqual(
      expect.arrayContaining(['04-28', '05-15', 'y2024']),
    );
    expect([...datesIn('Expected in Q3 2025, maybe June 2025.')]).toEqual(
      expect.arrayContaining(['q3', 'y2025', '2025-06']),
    );
    expect([...datesIn('TGE 在 2025年6月，第三季度；不是 4月28日')]).toEqual(
      expect.arrayContaining(['2025-06', 'q3', '04-28']),
    );
    expect([...datesIn('The TGE is tomorrow, or next week, in 3 days.')]).toEqual(
      expect.arrayContaining(['~tomorrow', '~next week', '~in 3 days']),
    );
    expect([...datesIn('代币明天上线，下个月开放')]).toEqual(expect.arrayContaining(['~明天', '~下个月']));
    expect([...datesIn('Node v1.2025 scored 0.2025 points; 12,000 GPUs')]).toEqual([]);
  });

  it('a date no cited entry states is reported; dates the entry states are not', () => {
    const entry = 'The TGE was announced for April 28, 2025, then postponed; no new date.';
    expect(unstatedDates('It was set for April 28 (2025) and postponed.', [entry])).toEqual([]);
    expect(unstatedDates('The TGE is tomorrow.', [entry])).toEqual(['~tomorrow']);
    expect(unstatedDates('The new date is June 2025.', [entry])).toEqual(['2025-06']);
    expect(unstatedDates('TGE 定在 2026 年。', [entry])).toEqual(['y2026']);
  });
});
