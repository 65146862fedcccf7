import type { MessageEntity, User } from '@grammyjs/types';
import { EntityParseError, byteOffset, checkLink, fixFormattedText, sortEntities } from './entities';
import { badRequest } from './errors';
import { parseHtml } from './html';
import { parseMarkdownV2 } from './markdown-v2';

export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

type FindUser = (id: number) => User | undefined;

/** tdlib's parse_markdown: the legacy "Markdown" mode (no nesting, four markers). */
function parseLegacyMarkdown(input: string, findUser: FindUser): FormattedText {
  const entities: MessageEntity[] = [];
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c === '\\' && '_*`['.includes(input[i + 1] ?? ' ')) {
      out += input[++i];
      continue;
    }
    if (!'_*`['.includes(c)) {
      out += c;
      continue;
    }
    const begin = i;
    const endChar = c === '[' ? ']' : c;
    let isPre = false;
    let language = '';
    i++;
    if (c === '`' && input[i] === '`' && input[i + 1] === '`') {
      i += 2;
      isPre = true;
      let end = i;
      while (end < input.length && !' \t\r\n'.includes(input[end] as string) && input[end] !== '`') end++;
      if (end !== i && end < input.length && input[end] !== '`') {
        language = input.slice(i, end);
        i = end;
      }
      if (input[i] === '\n' || input[i] === '\r') i++;
    }
    const offset = out.length;
    while (
      i < input.length &&
      (input[i] !== endChar || (isPre && !(input[i + 1] === '`' && input[i + 2] === '`')))
    ) {
      out += input[i++];
    }
    if (i === input.length) {
      throw new EntityParseError(
        `Can't find end of the entity starting at byte offset ${byteOffset(input, begin)}`,
      );
    }
    const span = { offset, length: out.length - offset };
    if (span.length > 0) {
      if (c === '_') entities.push({ type: 'italic', ...span });
      else if (c === '*') entities.push({ type: 'bold', ...span });
      else if (c === '`')
        entities.push(
          isPre ? { type: 'pre', ...span, ...(language ? { language } : {}) } : { type: 'code', ...span },
        );
      else {
        let url = out.slice(offset);
        if (input[i + 1] === '(') {
          i += 2;
          url = '';
          while (i < input.length && input[i] !== ')') url += input[i++];
        }
        const link = checkLink(url, findUser);
        if (link && 'user' in link) entities.push({ type: 'text_mention', ...span, user: link.user });
        else if (link) entities.push({ type: 'text_link', ...span, url: link.url });
      }
    }
    if (isPre) i += 2;
  }
  return { text: out, entities };
}

const ENTITY_TYPES = new Set([
  'mention',
  'hashtag',
  'cashtag',
  'bot_command',
  'url',
  'email',
  'phone_number',
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'blockquote',
  'expandable_blockquote',
  'code',
  'pre',
  'text_link',
  'text_mention',
  'custom_emoji',
  'date_time',
]);

function checkExplicitEntities(text: string, raw: unknown): MessageEntity[] {
  if (!Array.isArray(raw)) throw badRequest("can't parse entities JSON object");
  return raw.map((e: unknown) => {
    const entity = e as Partial<MessageEntity> | null;
    if (!entity || typeof entity.type !== 'string' || !ENTITY_TYPES.has(entity.type)) {
      throw badRequest("can't parse entities: unsupported entity type");
    }
    const { offset, length } = entity;
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      (offset as number) < 0 ||
      (length as number) < 0
    ) {
      throw badRequest("can't parse entities: entity offset and length must be non-negative integers");
    }
    if ((offset as number) + (length as number) > text.length) {
      throw badRequest(
        `can't parse entities: entity beginning at UTF-16 offset ${offset} ends after the end of the text`,
      );
    }
    if (entity.type === 'text_link' && !entity.url)
      throw badRequest('can\'t parse entities: Can\'t find field "url"');
    return entity as MessageEntity;
  });
}

/**
 * What the Bot API does with text + parse_mode (or explicit entities): parse, normalise
 * and auto-detect entities. Empty results are reported by the caller (its wording differs
 * between text and captions).
 */
export function formatText(
  raw: string,
  parseMode: string | undefined,
  explicitEntities: unknown,
  findUser: FindUser,
): FormattedText {
  let parsed: FormattedText;
  try {
    if (explicitEntities !== undefined)
      parsed = { text: raw, entities: checkExplicitEntities(raw, explicitEntities) };
    else if (!parseMode) parsed = { text: raw, entities: [] };
    else {
      switch (parseMode.toLowerCase()) {
        case 'markdownv2':
          parsed = parseMarkdownV2(raw, findUser);
          break;
        case 'html':
          parsed = parseHtml(raw, findUser);
          break;
        case 'markdown':
          parsed = parseLegacyMarkdown(raw, findUser);
          break;
        default:
          throw badRequest('unsupported parse_mode');
      }
    }
  } catch (err) {
    if (err instanceof EntityParseError) throw badRequest(`can't parse entities: ${err.message}`);
    throw err;
  }
  return fixFormattedText(parsed.text, sortEntities(parsed.entities));
}
