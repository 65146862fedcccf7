import type { MessageEntity, User } from '@grammyjs/types';
import { EntityParseError, byteOffset, checkLink, sortEntities } from './entities';

// A port of tdlib's parse_markdown_v2 (td/telegram/MessageEntity.cpp) over UTF-16 strings,
// so that escaping mistakes fail here exactly where they fail against the real Bot API.

type Kind =
  | 'bold'
  | 'italic'
  | 'underline'
  | 'strikethrough'
  | 'spoiler'
  | 'text_link'
  | 'code'
  | 'pre'
  | 'custom_emoji'
  | 'blockquote'
  | 'expandable_blockquote';

// tdlib prints its own type names in "Can't find end of ... entity" errors.
const TDLIB_NAME: Record<Kind, string> = {
  bold: 'Bold',
  italic: 'Italic',
  underline: 'Underline',
  strikethrough: 'Strikethrough',
  spoiler: 'Spoiler',
  text_link: 'TextUrl',
  code: 'Code',
  pre: 'Pre',
  custom_emoji: 'CustomEmoji',
  blockquote: 'BlockQuote',
  expandable_blockquote: 'ExpandableBlockQuote',
};

interface Open {
  kind: Kind;
  language?: string;
  offset: number;
  byteAt: number;
}

const RESERVED = '_*[]()~`>#+-=|{}.!\n';
const isSpace = (c: string | undefined): boolean => c === undefined || ' \t\r\n\v\0'.includes(c);
const escapable = (code: number): boolean => code >= 1 && code <= 126;
const isQuote = (k: Kind): boolean => k === 'blockquote' || k === 'expandable_blockquote';

export function parseMarkdownV2(
  input: string,
  findUser: (id: number) => User | undefined,
): { text: string; entities: MessageEntity[] } {
  const n = input.length;
  const entities: MessageEntity[] = [];
  const stack: Open[] = [];
  let out = '';
  let quote: Open | undefined;
  let i = 0;

  const fail = (message: string): never => {
    throw new EntityParseError(message);
  };
  const reserved = (c: string): never =>
    fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
  const cantFindEnd = (open: Open): never =>
    fail(`Can't find end of ${TDLIB_NAME[open.kind]} entity at byte offset ${open.byteAt}`);

  const startQuoteAtLineStart = (): void => {
    if (quote) return;
    const expandable = input.startsWith('**>', i);
    if (!expandable && input[i] !== '>') return;
    quote = {
      kind: expandable ? 'expandable_blockquote' : 'blockquote',
      offset: out.length,
      byteAt: byteOffset(input, i),
    };
    stack.push(quote);
    i += expandable ? 3 : 1;
  };

  // The "(...)" part of a link or custom emoji, where only ")" and "\" need escaping.
  const readUrl = (what: string): string => {
    i += 2;
    const start = i;
    let url = '';
    while (i < n && input[i] !== ')') {
      if (input[i] === '\\' && escapable(input.charCodeAt(i + 1))) {
        url += input[i + 1];
        i += 2;
        continue;
      }
      url += input[i++];
    }
    if (input[i] !== ')') fail(`Can't find end of ${what} at byte offset ${byteOffset(input, start)}`);
    i++;
    return url;
  };

  startQuoteAtLineStart();
  while (i < n) {
    const c = input[i] as string;
    const next = input[i + 1];
    if (c === '\\' && escapable(input.charCodeAt(i + 1))) {
      out += next;
      i += 2;
      continue;
    }
    const top = stack[stack.length - 1];
    const inCode = top?.kind === 'code' || top?.kind === 'pre';
    if (!(inCode ? c === '`' : RESERVED.includes(c))) {
      out += c;
      i++;
      continue;
    }

    let isEnd = false;
    if (top) {
      if (quote && c === '\n' && next !== '>') isEnd = true;
      else if (quote?.kind === 'expandable_blockquote' && top === quote && c === '|' && next === '|')
        isEnd = i + 2 >= n || input[i + 2] === '\n';
      else {
        switch (top.kind) {
          case 'bold':
            isEnd = c === '*';
            break;
          case 'italic':
            isEnd = c === '_' && next !== '_';
            break;
          case 'underline':
            isEnd = c === '_' && next === '_';
            break;
          case 'strikethrough':
            isEnd = c === '~';
            break;
          case 'spoiler':
            isEnd = c === '|' && next === '|';
            break;
          case 'code':
            isEnd = c === '`';
            break;
          case 'pre':
            isEnd = c === '`' && next === '`' && input[i + 2] === '`';
            break;
          case 'text_link':
          case 'custom_emoji':
            isEnd = c === ']';
            break;
          default:
            isEnd = false;
        }
      }
    }

    if (!isEnd) {
      const byteAt = byteOffset(input, i);
      let kind: Kind;
      let language: string | undefined;
      switch (c) {
        case '_':
          kind = next === '_' ? 'underline' : 'italic';
          i += next === '_' ? 2 : 1;
          break;
        case '*':
          kind = 'bold';
          i++;
          break;
        case '~':
          kind = 'strikethrough';
          i++;
          break;
        case '|':
          if (next !== '|') return reserved(c);
          kind = 'spoiler';
          i += 2;
          break;
        case '[':
          kind = 'text_link';
          i++;
          break;
        case '!':
          if (next !== '[') return reserved(c);
          kind = 'custom_emoji';
          i += 2;
          break;
        case '`':
          if (next === '`' && input[i + 2] === '`') {
            kind = 'pre';
            i += 3;
            let end = i;
            while (end < n && !isSpace(input[end]) && input[end] !== '`') end++;
            if (end !== i && end < n && input[end] !== '`') {
              language = input.slice(i, end);
              i = end;
            }
            // One line break right after the opening fence is not part of the code.
            if (input[i] === '\n' || input[i] === '\r') {
              const pair = (input[i + 1] === '\n' || input[i + 1] === '\r') && input[i] !== input[i + 1];
              i += pair ? 2 : 1;
            }
          } else {
            kind = 'code';
            i++;
          }
          break;
        case '\n':
          out += '\n';
          i++;
          if (input[i] === '>' && quote) i++;
          else startQuoteAtLineStart();
          continue;
        default:
          return reserved(c);
      }
      stack.push({ kind, language, offset: out.length, byteAt });
      continue;
    }

    const open = stack.pop() as Open;
    if (c === '\n' && !isQuote(open.kind)) return cantFindEnd(open);
    let entity: MessageEntity | undefined;
    const span = { offset: open.offset };
    switch (open.kind) {
      case 'bold':
      case 'italic':
      case 'code':
      case 'strikethrough':
        i++;
        entity = { type: open.kind, ...span, length: 0 };
        break;
      case 'underline':
      case 'spoiler':
        i += 2;
        entity = { type: open.kind, ...span, length: 0 };
        break;
      case 'pre':
        i += 3;
        entity = open.language
          ? { type: 'pre', ...span, length: 0, language: open.language }
          : { type: 'pre', ...span, length: 0 };
        break;
      case 'text_link': {
        let url: string;
        if (next === '(') url = readUrl('a URL');
        else {
          url = out.slice(open.offset);
          i++;
        }
        const link = checkLink(url, findUser);
        if (link && 'user' in link) entity = { type: 'text_mention', ...span, length: 0, user: link.user };
        else if (link) entity = { type: 'text_link', ...span, length: 0, url: link.url };
        break;
      }
      case 'custom_emoji': {
        if (next !== '(') return fail('Custom emoji entity must contain a tg://emoji URL');
        const url = readUrl('a custom emoji URL');
        const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
        if (!id) return fail('Custom emoji URL must have an emoji identifier');
        entity = { type: 'custom_emoji', ...span, length: 0, custom_emoji_id: id };
        break;
      }
      case 'blockquote':
      case 'expandable_blockquote':
        quote = undefined;
        if (c === '\n') {
          // tdlib keeps the line break that ends a quote inside the quote entity.
          out += '\n';
          i++;
        } else i += 2;
        entity = { type: open.kind, ...span, length: 0 };
        break;
    }
    if (entity && out.length > open.offset) entities.push({ ...entity, length: out.length - open.offset });
    if (isQuote(open.kind) && c === '\n') startQuoteAtLineStart();
  }

  if (quote && stack[stack.length - 1] === quote) {
    stack.pop();
    if (out.length > quote.offset)
      entities.push({
        type: quote.kind as 'blockquote',
        offset: quote.offset,
        length: out.length - quote.offset,
      });
    quote = undefined;
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) cantFindEnd(unclosed);
  return { text: out, entities: sortEntities(entities) };
}
