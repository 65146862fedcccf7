import type { MethodContext, MethodSpec } from '../api';
import { badRequest } from '../errors';
import type { CallbackAnswer } from '../state';

function answerCallbackQuery(ctx: MethodContext): true {
  const id = ctx.params.str('callback_query_id') ?? '';
  const record = ctx.world.callbacks.get(id);
  // Telegram gives the same answer for unknown ids and for queries answered already.
  if (!record || record.answer) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  const answer: CallbackAnswer = {};
  const text = ctx.params.str('text');
  if (text !== undefined) {
    if (text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
    answer.text = text;
  }
  if (ctx.params.has('show_alert')) answer.show_alert = ctx.params.bool('show_alert');
  const url = ctx.params.str('url');
  if (url !== undefined) answer.url = url;
  const cacheTime = ctx.params.int('cache_time');
  if (cacheTime !== undefined) answer.cache_time = cacheTime;
  record.answer = answer;
  return true;
}

export const callbackMethods: MethodSpec[] = [{ name: 'answerCallbackQuery', run: answerCallbackQuery }];
