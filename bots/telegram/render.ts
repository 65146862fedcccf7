// Renders a Reply as Telegram text + entities. Entities instead of a parse mode mean
// user-supplied text can never break or inject markup: nothing needs escaping.
import type { InlineKeyboardMarkup, MessageEntity } from '@grammyjs/types';
import type { Block, Reply } from '../../core/reply';

export const TELEGRAM_MAX_TEXT = 4096;

export interface TelegramMessage {
  text: string;
  entities: MessageEntity[];
  reply_markup?: InlineKeyboardMarkup;
}

/** Lone surrogates (broken UTF-16 from user input) would make the API reject the message. */
const wellFormed = (s: string) => (s as string & { toWellFormed(): string }).toWellFormed();

function renderBlock(block: Block, offset: number): { text: string; entities: MessageEntity[] } {
  switch (block.kind) {
    case 'text':
      return { text: wellFormed(block.text), entities: [] };
    case 'title': {
      const text = wellFormed(block.text);
      return { text, entities: [{ type: 'bold', offset, length: text.length }] };
    }
    case 'code': {
      const text = wellFormed(block.text);
      const entity: MessageEntity = block.language
        ? { type: 'pre', offset, length: text.length, language: block.language }
        : { type: 'pre', offset, length: text.length };
      return { text, entities: [entity] };
    }
    case 'list':
      return { text: block.items.map((i) => `• ${wellFormed(i)}`).join('\n'), entities: [] };
  }
}

function keyboard(reply: Reply): InlineKeyboardMarkup | undefined {
  if (!reply.buttons?.length) return undefined;
  return {
    inline_keyboard: reply.buttons.map((row) =>
      row.map((b) => ({ text: b.label, callback_data: b.id.slice(0, 64) })),
    ),
  };
}

/** One or more messages (split between blocks, or inside an over-long block) of at most 4096 characters. */
export function renderTelegram(reply: Reply): TelegramMessage[] {
  const messages: TelegramMessage[] = [];
  let current: TelegramMessage = { text: '', entities: [] };
  const flush = () => {
    if (current.text) messages.push(current);
    current = { text: '', entities: [] };
  };
  for (const block of reply.blocks) {
    const sep = current.text ? '\n\n' : '';
    const rendered = renderBlock(block, current.text.length + sep.length);
    if (current.text.length + sep.length + rendered.text.length <= TELEGRAM_MAX_TEXT) {
      current.text += sep + rendered.text;
      current.entities.push(...rendered.entities);
      continue;
    }
    flush();
    const again = renderBlock(block, 0);
    if (again.text.length <= TELEGRAM_MAX_TEXT) {
      current = { text: again.text, entities: again.entities };
      continue;
    }
    // A single block longer than a message: cut it; entities cover each piece.
    for (let i = 0; i < again.text.length; i += TELEGRAM_MAX_TEXT) {
      const piece = again.text.slice(i, i + TELEGRAM_MAX_TEXT);
      const entities = again.entities.map((e) => ({ ...e, offset: 0, length: piece.length }));
      messages.push({ text: piece, entities });
    }
  }
  flush();
  if (messages.length === 0) messages.push({ text: '…', entities: [] });
  const markup = keyboard(reply);
  if (markup) messages[messages.length - 1]!.reply_markup = markup;
  return messages;
}
