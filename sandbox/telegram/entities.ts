import type { MessageEntity, User } from '@grammyjs/types';

/** Thrown by the parse-mode parsers; the API prefixes it with "can't parse entities: ". */
export class EntityParseError extends Error {}

/** Telegram reports parse errors at UTF-8 byte offsets of the input. */
export const byteOffset = (input: string, index: number): number =>
  Buffer.byteLength(input.slice(0, index), 'utf8');

// tdlib's MessageEntity::get_type_priority: decides the order of entities sharing offset and length.
const PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 1,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};

export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort(
    (a, b) =>
      a.offset - b.offset || b.length - a.length || (PRIORITY[a.type] ?? 50) - (PRIORITY[b.type] ?? 50),
  );
}

/** Entity kinds that may overlap auto-detected ones (tdlib calls them splittable / blockquote). */
const OVERLAPPABLE = new Set([
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'blockquote',
  'expandable_blockquote',
]);

/**
 * `tg://user?id=N` links become text_mention entities for users the bot knows; other
 * links are normalised like tdlib's get_checked_link (scheme added, trailing slash), and
 * unusable ones yield undefined so the entity is dropped (Telegram does not fail on them).
 */
export function checkLink(
  raw: string,
  findUser: (id: number) => User | undefined,
): { url: string } | { user: User } | undefined {
  const link = raw.trim();
  const mention = /^tg:\/\/user\?id=(\d+)$/i.exec(link);
  if (mention) {
    const user = findUser(Number(mention[1]));
    return user ? { user } : undefined;
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(link);
  if (hasScheme && !/^(https?|tg|ton|ftp):/i.test(link)) return undefined;
  if (/^(tg|ton):/i.test(link)) return { url: link };
  try {
    const url = new URL(hasScheme ? link : `http://${link}`);
    if (!url.hostname || (!hasScheme && !url.hostname.includes('.'))) return undefined;
    return { url: url.href };
  } catch {
    return undefined;
  }
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
const isHashtagChar = (c: string | undefined): boolean =>
  c !== undefined && /[\p{L}\p{Nd}_\u200c\u00b7]/u.test(c);

// A short list instead of tdlib's full TLD table: enough that "io.net" links and "file.txt" does not.
const TLDS = new Set(
  'com net org io me dev app ai xyz co gg info biz ru cn uk de fr jp us tv ly to sh cc eu in network cloud tech'.split(
    ' ',
  ),
);

const count = (s: string, c: string): number => s.split(c).length - 1;

/** Trailing punctuation belongs to the sentence, and a closing bracket only when unbalanced. */
function trimUrlTail(url: string): string {
  for (;;) {
    const last = url[url.length - 1];
    if (last === undefined) return url;
    const unbalanced =
      (last === ')' && count(url, ')') > count(url, '(')) ||
      (last === ']' && count(url, ']') > count(url, '['));
    if (!'.,;:!?\'"'.includes(last) && !unbalanced) return url;
    url = url.slice(0, -1);
  }
}

interface Found {
  type: 'mention' | 'bot_command' | 'hashtag' | 'cashtag' | 'url' | 'email';
  offset: number;
  length: number;
}

function findAll(
  text: string,
  re: RegExp,
  type: Found['type'],
  accept: (m: RegExpExecArray) => boolean,
): Found[] {
  const found: Found[] = [];
  for (const m of text.matchAll(re)) {
    if (accept(m as RegExpExecArray)) found.push({ type, offset: m.index ?? 0, length: m[0].length });
  }
  return found;
}

/** The entities Telegram detects by itself in any message text (tdlib's find_entities, simplified). */
export function detectEntities(text: string): MessageEntity[] {
  const before = (m: RegExpExecArray) => text[(m.index ?? 0) - 1];
  const after = (m: RegExpExecArray) => text[(m.index ?? 0) + m[0].length];
  const found: Found[] = [
    ...findAll(
      text,
      /@[A-Za-z0-9_]{4,32}/g,
      'mention',
      (m) => !isWordChar(before(m)) && !isWordChar(after(m)),
    ),
    ...findAll(text, /\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?/g, 'bot_command', (m) => {
      const b = before(m);
      const a = after(m);
      return !isWordChar(b) && !'/<>'.includes(b ?? ' ') && !isWordChar(a) && !'/<>'.includes(a ?? ' ');
    }),
    ...findAll(text, /#[\p{L}\p{Nd}_\u200c\u00b7]{1,256}/gu, 'hashtag', (m) => {
      return !isHashtagChar(before(m)) && after(m) !== '#' && /\p{L}/u.test(m[0]);
    }),
    ...findAll(text, /\$(?:1INCH|[A-Z]{1,8})/g, 'cashtag', (m) => {
      const b = before(m);
      const a = after(m);
      return !isHashtagChar(b) && b !== '$' && !isHashtagChar(a) && a !== '$';
    }),
    ...findAll(
      text,
      /[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g,
      'email',
      (m) => !isWordChar(before(m)),
    ),
  ];
  const urlRe =
    /(?:(?:https?|ftp|tg|ton):\/\/[^\s<>"]+|(?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,}(?::\d{1,5})?(?:[/?#][^\s<>"]*)?)/giu;
  for (const m of text.matchAll(urlRe)) {
    let url = m[0];
    const at = m.index ?? 0;
    if (isWordChar(text[at - 1]) || text[at - 1] === '@' || text[at - 1] === '.') continue;
    const hasScheme = /^[a-z]+:\/\//i.test(url);
    if (!hasScheme) {
      const host = url.split(/[:/?#]/)[0] ?? '';
      const tld = host.split('.').pop()?.toLowerCase() ?? '';
      if (!TLDS.has(tld)) continue;
    }
    url = trimUrlTail(url);
    if (url.length > 0) found.push({ type: 'url', offset: at, length: url.length });
  }
  // Keep the first (then longest) of overlapping detections, as tdlib's remove_intersecting_entities does.
  found.sort((a, b) => a.offset - b.offset || b.length - a.length);
  const kept: MessageEntity[] = [];
  let end = 0;
  for (const f of found) {
    if (f.offset < end) continue;
    kept.push({ type: f.type, offset: f.offset, length: f.length });
    end = f.offset + f.length;
  }
  return kept;
}

const isRemovedChar = (code: number): boolean =>
  code === 0x0d ||
  (code >= 0x2028 && code <= 0x202e) ||
  code === 0x0333 ||
  code === 0x033f ||
  code === 0x030a;
const isSpaceLike = (code: number): boolean => code <= 32 && code !== 10;

/**
 * tdlib's fix_formatted_text: control characters become spaces, "\r" and a few invisible
 * characters disappear, whitespace-only entities are dropped, the text is trimmed and
 * auto-detected entities (commands, mentions, URLs...) are merged in. Returns an empty
 * text when nothing visible is left; the caller decides which error that is.
 */
export function fixFormattedText(
  input: string,
  inputEntities: MessageEntity[],
  opts: { detect?: boolean } = {},
): { text: string; entities: MessageEntity[] } {
  const map = new Array<number>(input.length + 1);
  let out = '';
  for (let i = 0; i < input.length; i++) {
    map[i] = out.length;
    const code = input.charCodeAt(i);
    if (isRemovedChar(code)) continue;
    out += isSpaceLike(code) ? ' ' : input[i];
  }
  map[input.length] = out.length;

  let entities: MessageEntity[] = [];
  for (const e of inputEntities) {
    const start = map[e.offset] ?? out.length;
    const end = map[Math.min(e.offset + e.length, input.length)] ?? out.length;
    if (end <= start) continue;
    if (!/[^ \n]/.test(out.slice(start, end))) continue;
    entities.push({ ...e, offset: start, length: end - start });
  }

  const lastVisible = out.search(/[^ \n][ \n]*$/);
  if (lastVisible < 0) return { text: '', entities: [] };
  const rtrimmed = out.slice(0, lastVisible + 1);
  entities = entities.map((e) =>
    e.offset + e.length > rtrimmed.length ? { ...e, length: rtrimmed.length - e.offset } : e,
  );
  sortEntities(entities);
  const firstEntity = entities[0]?.offset ?? rtrimmed.length;
  let lead = 0;
  while (lead < firstEntity && (rtrimmed[lead] === ' ' || rtrimmed[lead] === '\n')) lead++;
  const text = rtrimmed.slice(lead);
  entities = entities.map((e) => ({ ...e, offset: e.offset - lead }));

  if (opts.detect !== false) {
    const blocking = entities.filter((e) => !OVERLAPPABLE.has(e.type));
    for (const d of detectEntities(text)) {
      const overlaps = blocking.some((e) => d.offset < e.offset + e.length && e.offset < d.offset + d.length);
      if (!overlaps) entities.push(d);
    }
  }
  return { text, entities: sortEntities(entities) };
}
