// The interactive Discord bot's share of the bot token's send budget: discord.js's REST
// client takes a token from the same Redis pacer as alert delivery before every request,
// so replies, cards and alert storms of every process together stay under the global
// 50 requests/s. Interaction callbacks and their follow-ups (webhook routes) are exempt
// from that limit at Discord and are not paced. A 429 pauses the budget (global) or holds
// the channel, for every process.
import { DefaultRestOptions, type RESTOptions } from '@discordjs/rest';
import type { SendPacer } from '../../notifier/delivery/pacing';

const EXEMPT = /\/(interactions|webhooks)\//;
const CHANNEL = /\/channels\/(\d+)/;

export function pacedRequest(
  pacer: SendPacer,
  send: RESTOptions['makeRequest'] = DefaultRestOptions.makeRequest,
): RESTOptions['makeRequest'] {
  return async (url, init) => {
    const path = new URL(url).pathname;
    if (EXEMPT.test(path)) return send(url, init);
    // The channel names the chat delivery paces (a DM channel id), so a hold applies to both.
    const chat = CHANNEL.exec(path)?.[1];
    const grant = await pacer.acquire(chat);
    // Settled once answered (or failed): the pacer dates the send by its answer (not
    // awaited; settle never throws).
    const res = await send(url, init).finally(() => void pacer.settle(grant));
    if (res.status === 429) {
      const global = res.headers.get('x-ratelimit-global') === 'true';
      const retryAfterS = Number(res.headers.get('retry-after') ?? 1);
      await pacer.penalize(retryAfterS * 1000, global ? 'global' : chat ? 'chat' : 'unknown', chat);
    }
    return res;
  };
}
