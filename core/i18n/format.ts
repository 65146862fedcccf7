// Dates and durations in messages. UTC with the zone named: a fleet spans time zones,
// and "16:05 UTC" is unambiguous in a screenshot passed to support.
import type { Locale } from './index';

export function formatTime(date: Date | null | undefined): string {
  if (!date) return '—';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDuration(locale: Locale, ms: number): string {
  const totalMinutes = Math.max(0, Math.round(ms / 60_000));
  if (ms < 60_000) {
    const s = Math.max(0, Math.round(ms / 1000));
    return locale === 'zh' ? `${s} 秒` : `${s} s`;
  }
  const d = Math.floor(totalMinutes / 1440);
  const h = Math.floor((totalMinutes % 1440) / 60);
  const m = totalMinutes % 60;
  const parts =
    locale === 'zh'
      ? [d && `${d} 天`, h && `${h} 小时`, m && `${m} 分钟`]
      : [d && `${d} d`, h && `${h} h`, m && `${m} min`];
  return parts.filter(Boolean).join(' ');
}
