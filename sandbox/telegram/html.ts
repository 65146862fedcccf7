import type { MessageEntity, User } from '@grammyjs/types';
import { EntityParseError, byteOffset, checkLink, sortEntities } from './entities';

// A port of tdlib's parse_html (td/telegram/MessageEntity.cpp): the same tags, the same four
// named character references, the same error texts with UTF-8 byte offsets.

const TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const isSpace = (c: string | undefined): boolean => c === undefined || ' \t\r\n\v\0'.includes(c);

/** Decodes "&...;" at `at`; undefined leaves the "&" as a literal character, as Telegram does. */
function decodeReference(input: string, at: number): { text: string; end: number } | undefined {
  let end = at + 1;
  let code = 0;
  if (input[end] === '#') {
    end++;
    const hex = input[end] === 'x';
    if (hex) end++;
    const digits = hex ? /[0-9a-fA-F]/ : /[0-9]/;
    const start = end;
    while (end < input.length && digits.test(input[end] as string)) end++;
    code = end > start ? parseInt(input.slice(start, end), hex ? 16 : 10) : 0;
    if (code === 0 || code >= 0x10ffff || end - at >= 10) return undefined;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new EntityParseError(
        'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
      );
    }
  } else {
    while (end < input.length && /[A-Za-z]/.test(input[end] as string)) end++;
    const named = NAMED[input.slice(at + 1, end)];
    if (named === undefined) return undefined;
    code = named.charCodeAt(0);
  }
  if (input[end] === ';') end++;
  return { text: String.fromCodePoint(code), end };
}

interface Open {
  tag: string;
  argument: string;
  offset: number;
  expandable: boolean;
}

export function parseHtml(
  input: string,
  findUser: (id: number) => User | undefined,
): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities: MessageEntity[] = [];
  const codeLanguage = new Map<MessageEntity, string>();
  const stack: Open[] = [];
  let out = '';
  let i = 0;
  const fail = (message: string): never => {
    throw new EntityParseError(message);
  };

  while (i < n) {
    const c = input[i] as string;
    if (c === '&') {
      const decoded = decodeReference(input, i);
      if (decoded) {
        out += decoded.text;
        i = decoded.end;
        continue;
      }
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }

    const beginByte = byteOffset(input, i);
    const begin = i++;
    if (input[i] !== '/') {
      while (!isSpace(input[i]) && input[i] !== '>') i++;
      if (i >= n) fail(`Unclosed start tag at byte offset ${beginByte}`);
      const tag = input.slice(begin + 1, i).toLowerCase();
      if (!TAGS.has(tag)) fail(`Unsupported start tag "${tag}" at byte offset ${beginByte}`);

      let argument = '';
      let expandable = false;
      while (input[i] !== '>') {
        while (i < n && isSpace(input[i])) i++;
        if (input[i] === '>') break;
        const nameStart = i;
        while (!isSpace(input[i]) && input[i] !== '=' && input[i] !== '>') i++;
        const name = input.slice(nameStart, i);
        if (!name) fail(`Empty attribute name in the tag "${tag}" at byte offset ${beginByte}`);
        while (i < n && isSpace(input[i])) i++;
        if (input[i] !== '=') {
          if (tag === 'blockquote' && name.toLowerCase() === 'expandable') {
            expandable = true;
            continue;
          }
          fail(
            `Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${beginByte}`,
          );
        }
        i++;
        while (i < n && isSpace(input[i])) i++;
        if (i >= n) fail(`Unclosed start tag "${tag}" at byte offset ${beginByte}`);

        let value = '';
        const quoteChar = input[i];
        if (quoteChar !== '"' && quoteChar !== "'") {
          const tokenStart = i;
          while (i < n && /[A-Za-z0-9.-]/.test(input[i] as string)) i++;
          value = input.slice(tokenStart, i).toLowerCase();
          if (!isSpace(input[i]) && input[i] !== '>') {
            fail(`Unexpected end of name token at byte offset ${byteOffset(input, tokenStart)}`);
          }
        } else {
          i++;
          while (i < n && input[i] !== quoteChar) {
            const decoded = input[i] === '&' ? decodeReference(input, i) : undefined;
            if (decoded) {
              value += decoded.text;
              i = decoded.end;
            } else value += input[i++];
          }
          if (input[i] === quoteChar) i++;
        }
        if (i >= n) fail(`Unclosed start tag at byte offset ${beginByte}`);

        if (tag === 'a' && name === 'href') argument = value;
        else if (tag === 'code' && name === 'class' && value.startsWith('language-'))
          argument = value.slice(9);
        else if (tag === 'span' && name === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'tg-emoji' && name === 'emoji-id') argument = value;
      }
      if (tag === 'span' && argument !== 'spoiler') {
        fail(`Tag "span" must have class "tg-spoiler" at byte offset ${beginByte}`);
      }
      stack.push({ tag, argument, offset: out.length, expandable });
      i++;
      continue;
    }

    if (stack.length === 0) fail(`Unexpected end tag at byte offset ${beginByte}`);
    i++;
    const nameStart = i;
    while (!isSpace(input[i]) && input[i] !== '>') i++;
    const endTag = input.slice(nameStart, i).toLowerCase();
    while (i < n && isSpace(input[i])) i++;
    if (input[i] !== '>') fail(`Unclosed end tag at byte offset ${beginByte}`);
    i++;
    const open = stack[stack.length - 1] as Open;
    if (endTag && endTag !== open.tag) {
      fail(`Unmatched end tag at byte offset ${beginByte}, expected "</${open.tag}>", found "</${endTag}>"`);
    }
    stack.pop();
    if (out.length <= open.offset) continue;

    const span = { offset: open.offset, length: out.length - open.offset };
    const last = entities[entities.length - 1];
    const sameSpan = last !== undefined && last.offset === span.offset && last.length === span.length;
    switch (open.tag) {
      case 'i':
      case 'em':
        entities.push({ type: 'italic', ...span });
        break;
      case 'b':
      case 'strong':
        entities.push({ type: 'bold', ...span });
        break;
      case 's':
      case 'strike':
      case 'del':
        entities.push({ type: 'strikethrough', ...span });
        break;
      case 'u':
      case 'ins':
        entities.push({ type: 'underline', ...span });
        break;
      case 'tg-spoiler':
      case 'span':
        entities.push({ type: 'spoiler', ...span });
        break;
      case 'tg-emoji':
        if (!/^[1-9]\d*$/.test(open.argument)) fail('Invalid custom emoji identifier specified');
        entities.push({ type: 'custom_emoji', ...span, custom_emoji_id: open.argument });
        break;
      case 'a': {
        const link = checkLink(open.argument || out.slice(open.offset), findUser);
        if (link && 'user' in link) entities.push({ type: 'text_mention', ...span, user: link.user });
        else if (link) entities.push({ type: 'text_link', ...span, url: link.url });
        break;
      }
      case 'pre': {
        // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
        const language = last && sameSpan && last.type === 'code' ? codeLanguage.get(last) : undefined;
        if (last && language) entities[entities.length - 1] = { type: 'pre', ...span, language };
        else entities.push({ type: 'pre', ...span });
        break;
      }
      case 'code': {
        if (last && sameSpan && last.type === 'pre' && open.argument) {
          entities[entities.length - 1] = { type: 'pre', ...span, language: open.argument };
        } else {
          const entity: MessageEntity = { type: 'code', ...span };
          if (open.argument) codeLanguage.set(entity, open.argument);
          entities.push(entity);
        }
        break;
      }
      case 'blockquote':
        entities.push({ type: open.expandable ? 'expandable_blockquote' : 'blockquote', ...span });
        break;
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) fail(`Can't find end tag corresponding to start tag ${unclosed.tag}`);
  return { text: out, entities: sortEntities(entities) };
}
