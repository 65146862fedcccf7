import type { InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup } from '@grammyjs/types';
import { badRequest } from './errors';

export type ParsedMarkup =
  | { kind: 'inline'; markup: InlineKeyboardMarkup }
  | { kind: 'keyboard'; markup: ReplyKeyboardMarkup }
  | { kind: 'remove' }
  | { kind: 'force_reply' };

const ACTIONS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'copy_text',
  'callback_game',
  'pay',
];

function checkButton(raw: unknown): InlineKeyboardButton {
  const b = raw as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || typeof b.text !== 'string') {
    throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
  }
  if (!ACTIONS.some((a) => b[a] !== undefined)) {
    throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
  }
  if (b.callback_data !== undefined) {
    const size = typeof b.callback_data === 'string' ? Buffer.byteLength(b.callback_data) : 0;
    if (size < 1 || size > 64) throw badRequest('BUTTON_DATA_INVALID');
  }
  if (b.url !== undefined) {
    try {
      const url = new URL(String(b.url));
      if (!/^(https?|tg|ton):$/.test(url.protocol)) throw new Error('scheme');
    } catch {
      throw badRequest(`inline keyboard button URL '${String(b.url)}' is invalid: Wrong HTTP URL`);
    }
  }
  return b as unknown as InlineKeyboardButton;
}

/** reply_markup as the Bot API validates it: inline keyboards strictly, reply keyboards loosely. */
export function parseReplyMarkup(raw: unknown): ParsedMarkup | undefined {
  if (raw === undefined) return undefined;
  const m = raw as Record<string, unknown> | null;
  if (!m || typeof m !== 'object' || Array.isArray(m))
    throw badRequest("can't parse reply keyboard markup JSON object");
  if (m.inline_keyboard !== undefined) {
    const rows = m.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    const inline_keyboard = (rows as unknown[][])
      .map((row) => row.map(checkButton))
      .filter((row) => row.length > 0);
    return { kind: 'inline', markup: { inline_keyboard } };
  }
  if (Array.isArray(m.keyboard)) return { kind: 'keyboard', markup: m as unknown as ReplyKeyboardMarkup };
  if (m.remove_keyboard === true) return { kind: 'remove' };
  if (m.force_reply === true) return { kind: 'force_reply' };
  throw badRequest("can't parse reply keyboard markup JSON object");
}

export function inlineButtons(markup: InlineKeyboardMarkup | undefined): InlineKeyboardButton[] {
  return markup?.inline_keyboard.flat() ?? [];
}
