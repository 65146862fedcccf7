// HTML for the chat views: Telegram messages from their entities, Discord messages from
// their markdown, embeds and components. Everything the bot or a person wrote is escaped
// first, so text is shown literally, never as markup.
import type { InlineKeyboardButton, Message, MessageEntity } from '@grammyjs/types';
import type { APIEmbed, APIMessageComponent } from 'discord-api-types/v10';
import type { SentMessage } from '../../sandbox/discord';

export function esc(s: string | number | undefined | null): string {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A data attribute holding JSON, for the page script's POSTs. */
export const dataBody = (v: unknown): string => `data-body="${esc(JSON.stringify(v))}"`;

const TG_TAGS: Partial<Record<MessageEntity['type'], [string, string]>> = {
  bold: ['<b>', '</b>'],
  italic: ['<i>', '</i>'],
  underline: ['<u>', '</u>'],
  strikethrough: ['<s>', '</s>'],
  spoiler: ['<span class="spoiler">', '</span>'],
  code: ['<code>', '</code>'],
  pre: ['<code class="pre">', '</code>'],
  blockquote: ['<span class="quote">', '</span>'],
  expandable_blockquote: ['<span class="quote">', '</span>'],
};

function entityTags(e: MessageEntity, text: string): [string, string] {
  if (e.type === 'text_link') return [`<a href="${esc(e.url)}" target="_blank" rel="noopener">`, '</a>'];
  if (e.type === 'url') {
    const url = text.slice(e.offset, e.offset + e.length);
    return [`<a href="${esc(url)}" target="_blank" rel="noopener">`, '</a>'];
  }
  return TG_TAGS[e.type] ?? ['', ''];
}

/** Telegram text with entities (UTF-16 offsets, as the Bot API gives them) as HTML. */
export function telegramText(text: string, entities: MessageEntity[] = []): string {
  // Cut the text wherever an entity starts or ends, then wrap each piece in the
  // entities covering it: correct for nested and overlapping entities alike.
  const cuts = new Set([0, text.length]);
  for (const e of entities) cuts.add(e.offset).add(e.offset + e.length);
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  let out = '';
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i]!, points[i + 1]!];
    let piece = esc(text.slice(from, to));
    for (const e of entities) {
      if (e.offset <= from && e.offset + e.length >= to) {
        const [open, close] = entityTags(e, text);
        piece = `${open}${piece}${close}`;
      }
    }
    out += piece;
  }
  return out;
}

export function telegramKeyboard(m: Message, pressUrl: string): string {
  const markup = m.reply_markup;
  if (!markup || !('inline_keyboard' in markup)) return '';
  const rows = (markup.inline_keyboard as InlineKeyboardButton[][]).map((row) =>
    row
      .map((b) => {
        if ('url' in b && b.url)
          return `<a class="kb" href="${esc(b.url)}" target="_blank" rel="noopener">${esc(b.text)} ↗</a>`;
        if ('callback_data' in b)
          return `<button class="kb" data-action="${pressUrl}" ${dataBody({ messageId: m.message_id, data: b.callback_data })}>${esc(b.text)}</button>`;
        return `<button class="kb" disabled>${esc(b.text)}</button>`;
      })
      .join(''),
  );
  return `<div class="kbd">${rows.map((r) => `<div class="kbrow">${r}</div>`).join('')}</div>`;
}

/** One Telegram message: text or caption, photo, document and inline keyboard. */
export function telegramMessage(m: Message, fromBot: boolean, pressUrl: string, who?: string): string {
  const parts: string[] = [];
  if (who) parts.push(`<div class="who">${esc(who)}</div>`);
  if (m.photo?.length) {
    const big = m.photo[m.photo.length - 1]!;
    parts.push(`<img class="photo" alt="image" src="/files/tg/${esc(big.file_id)}">`);
  }
  if (m.document) {
    parts.push(
      `<a class="file" href="/files/tg/${esc(m.document.file_id)}" download="${esc(m.document.file_name ?? 'file')}">📄 ${esc(m.document.file_name ?? 'file')}</a>`,
    );
  }
  if (m.text) parts.push(`<div class="text">${telegramText(m.text, m.entities)}</div>`);
  if (m.caption) parts.push(`<div class="text">${telegramText(m.caption, m.caption_entities)}</div>`);
  if (fromBot) parts.push(telegramKeyboard(m, pressUrl));
  const time = new Date(m.date * 1000).toISOString().slice(11, 19);
  return `<div class="msg ${fromBot ? 'bot' : 'me'}" data-id="${m.message_id}">${parts.join('')}<div class="time">${time}${m.edit_date ? ' · edited' : ''}</div></div>`;
}

// Discord markdown, the subset the bot writes: code blocks, inline code, bold, italic,
// underline, strike, links, quotes and headings; backslash escapes are honoured.
function discordInline(s: string): string {
  const codes: string[] = [];
  let t = s.replace(/`([^`\n]+)`/g, (_, c: string) => {
    codes.push(c);
    return `\u0000${codes.length - 1}\u0000`;
  });
  const escaped: string[] = [];
  t = t.replace(/\\([\\`*_~|>#[\]()-.!:])/g, (_, c: string) => {
    escaped.push(c);
    return `\u0001${escaped.length - 1}\u0001`;
  });
  t = esc(t)
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/__([^_]+)__/g, '<u>$1</u>')
    .replace(/\*([^*\n]+)\*/g, '<i>$1</i>')
    .replace(/(^|\W)_([^_\n]+)_(?=\W|$)/g, '$1<i>$2</i>')
    .replace(/~~([^~]+)~~/g, '<s>$1</s>')
    .replace(/\|\|([^|]+)\|\|/g, '<span class="spoiler">$1</span>');
  return t
    .replace(/\u0001(\d+)\u0001/g, (_, i: string) => esc(escaped[Number(i)]!))
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => `<code>${esc(codes[Number(i)]!)}</code>`);
}

export function discordMarkdown(content: string): string {
  const out: string[] = [];
  const blocks = content.split(/```/);
  blocks.forEach((block, i) => {
    if (i % 2 === 1) {
      const body = block.replace(/^[a-z0-9+-]*\n/i, '').replace(/\n$/, '');
      out.push(`<code class="pre">${esc(body)}</code>`);
      return;
    }
    const lines = block.split('\n').map((line) => {
      const h = /^(#{1,3}) (.*)$/.exec(line);
      if (h) return `<b class="h">${discordInline(h[2]!)}</b>`;
      const q = /^> (.*)$/.exec(line);
      if (q) return `<span class="quote">${discordInline(q[1]!)}</span>`;
      return discordInline(line);
    });
    out.push(lines.join('\n'));
  });
  return out.join('');
}

function discordEmbed(e: APIEmbed, fileUrl: (name: string) => string | undefined): string {
  const color = e.color !== undefined ? `#${e.color.toString(16).padStart(6, '0')}` : '#5865f2';
  const img = e.image?.url
    ? e.image.url.startsWith('attachment://')
      ? fileUrl(e.image.url.slice(13))
      : e.image.url
    : undefined;
  return `<div class="embed" style="border-color:${esc(color)}">
    ${e.title ? `<div class="etitle">${discordInline(e.title)}</div>` : ''}
    ${e.description ? `<div class="text">${discordMarkdown(e.description)}</div>` : ''}
    ${(e.fields ?? []).map((f) => `<div class="efield"><b>${discordInline(f.name)}</b><div>${discordMarkdown(f.value)}</div></div>`).join('')}
    ${img ? `<img class="photo" alt="image" src="${esc(img)}">` : ''}
    ${e.footer?.text ? `<div class="time">${esc(e.footer.text)}</div>` : ''}
  </div>`;
}

function discordComponents(m: SentMessage, pressUrl: string): string {
  const rows = (m.components ?? []) as APIMessageComponent[];
  const html = rows.map((row) => {
    const items = 'components' in row ? (row.components as APIMessageComponent[]) : [row];
    return `<div class="kbrow">${items
      .map((c) => {
        if (c.type === 2) {
          if ('url' in c && c.url)
            return `<a class="kb" href="${esc(c.url)}" target="_blank" rel="noopener">${esc(c.label)} ↗</a>`;
          if ('custom_id' in c)
            return `<button class="kb s${c.style}" ${c.disabled ? 'disabled' : ''} data-action="${pressUrl}" ${dataBody({ messageId: m.id, customId: c.custom_id })}>${esc(c.label ?? '')}</button>`;
        }
        if (c.type === 3)
          return (c.options ?? [])
            .map(
              (o) =>
                `<button class="kb" data-action="${pressUrl}" ${dataBody({ messageId: m.id, customId: c.custom_id, values: [o.value] })}>${esc(o.label)}</button>`,
            )
            .join('');
        return '';
      })
      .join('')}</div>`;
  });
  return rows.length ? `<div class="kbd">${html.join('')}</div>` : '';
}

/** One Discord message: content, embeds, attachments (images inline) and components. */
export function discordMessage(m: SentMessage, mine: boolean, pressUrl: string, where: string): string {
  const fileUrl = (name: string) => {
    const n = m.attachments.findIndex((a) => a.filename === name);
    return n >= 0 ? `/files/dc/${m.id}/${n}` : undefined;
  };
  const files = m.attachments
    .map((a, n) =>
      (a.content_type ?? '').startsWith('image/') &&
      !(m.embeds ?? []).some((e) => e.image?.url === `attachment://${a.filename}`)
        ? `<img class="photo" alt="${esc(a.filename)}" src="/files/dc/${m.id}/${n}">`
        : (a.content_type ?? '').startsWith('image/')
          ? ''
          : `<a class="file" href="/files/dc/${m.id}/${n}" download="${esc(a.filename)}">📄 ${esc(a.filename)}</a>`,
    )
    .join('');
  return `<div class="msg ${mine ? 'me' : 'bot'}" data-id="${esc(m.id)}">
    <div class="who">${esc(mine ? 'you' : m.author.username)} <span class="where">${esc(where)}</span></div>
    ${m.content ? `<div class="text">${discordMarkdown(m.content)}</div>` : ''}
    ${(m.embeds ?? []).map((e) => discordEmbed(e, fileUrl)).join('')}
    ${files}
    ${mine ? '' : discordComponents(m, pressUrl)}
    <div class="time">${esc(m.timestamp.slice(11, 19))}${m.edited_timestamp ? ' · edited' : ''}</div>
  </div>`;
}
