// The Telegram side of the reply clock (bots/shared/latency.ts): getUpdates results are
// stamped on arrival; a per-update API transformer, the outermost one (installed on ctx.api
// after the bot's own), stops the clock when the first answering call is issued — before
// pacing and auto-retry, whose waits are the platform's rate limits.
import type { Context, MiddlewareFn, Transformer } from 'grammy';
import { ReplyClock, type InputKind, type LatencyObserver } from '../shared/latency';

const arrivals = new WeakMap<object, number>();

/** Methods that carry an answer to the user (not "typing…", not role lookups). */
const ANSWERS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'editMessageText',
  'editMessageReplyMarkup',
  'answerCallbackQuery',
]);

/** Installed on bot.api: remembers when each update arrived. */
export const stampArrivals: Transformer = async (prev, method, payload, signal) => {
  const res = await prev(method, payload, signal);
  if (method === 'getUpdates' && res.ok) {
    const now = performance.now();
    for (const u of res.result as object[]) arrivals.set(u, now);
  }
  return res;
};

function kindOf(ctx: Context): InputKind {
  if (ctx.callbackQuery) return 'button';
  return ctx.message?.text?.startsWith('/') ? 'command' : 'text';
}

export function replyClock(observe: LatencyObserver): MiddlewareFn<Context> {
  return async (ctx, next) => {
    const clock = new ReplyClock(arrivals.get(ctx.update) ?? performance.now());
    ctx.api.config.use((prev, method, payload, signal) => {
      if (method === 'answerCallbackQuery') clock.ack();
      else if (ANSWERS.has(method)) clock.out();
      return prev(method, payload, signal);
    });
    try {
      await next();
    } finally {
      clock.report(observe, 'TELEGRAM', kindOf(ctx));
    }
  };
}
