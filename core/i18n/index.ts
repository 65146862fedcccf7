// Localization. Catalogs are plain objects so the compiler checks that every language
// has every key; `t` fills {placeholders} and never returns a raw key to a user.
import { en, type MessageKey } from './en';
import { zh } from './zh';

export type { MessageKey } from './en';

export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const catalogs: Record<Locale, Record<MessageKey, string>> = { en, zh };

export type Params = Record<string, string | number>;

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/**
 * Maps a platform language tag (Telegram `language_code` such as "zh-hans", Discord
 * locale such as "zh-CN" or "zh-TW") to one of our locales; anything unknown is English.
 */
export function resolveLocale(tag: string | null | undefined): Locale {
  if (!tag) return DEFAULT_LOCALE;
  const base = tag.toLowerCase().split(/[-_]/)[0] ?? '';
  return isLocale(base) ? base : DEFAULT_LOCALE;
}

export function t(locale: string, key: MessageKey, params: Params = {}): string {
  const catalog = catalogs[isLocale(locale) ? locale : DEFAULT_LOCALE];
  const template = catalog[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Placeholder names of a template, for the catalog consistency test. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();
}
