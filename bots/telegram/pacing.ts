// The interactive bot's share of the bot token's send budget: a grammY API transformer
// that takes a token from the same Redis pacer as alert delivery before every sending
// method, so replies and alert storms together stay under Telegram's limits. Installed
// inside auto-retry, so a retried call takes a token again; a 429 holds its chat (or, when
// several chats get one, pauses the whole bot) for every process.
import type { Transformer } from 'grammy';
import type { SendPacer } from '../../notifier/delivery/pacing';

/** Methods that post a message: those count against the flood limits. */
const SENDING = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendVideo',
  'sendAudio',
  'sendVoice',
  'sendAnimation',
  'sendVideoNote',
  'sendSticker',
  'sendMediaGroup',
  'sendLocation',
  'sendVenue',
  'sendContact',
  'sendPoll',
  'sendDice',
  'sendInvoice',
  'copyMessage',
  'copyMessages',
  'forwardMessage',
  'forwardMessages',
]);

export function pacingTransformer(pacer: SendPacer): Transformer {
  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: number | string } | undefined)?.chat_id;
    if (!SENDING.has(method) || chatId === undefined) return prev(method, payload, signal);
    const chat = String(chatId);
    const grant = await pacer.acquire(chat);
    // Settled once answered (or failed): the pacer dates the send by its answer (not
    // awaited; settle never throws).
    const res = await prev(method, payload, signal).finally(() => void pacer.settle(grant));
    if (!res.ok && res.error_code === 429) {
      const retryAfter = Number(res.parameters?.retry_after ?? 1);
      await pacer.penalize(retryAfter * 1000, 'unknown', chat);
    }
    return res;
  };
}
