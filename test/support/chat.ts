// Reading what the bots sent, and the wallet-linking round trip several tests need.
import type { Message } from '@grammyjs/types';
import type { TelegramUserHandle } from '../../sandbox/telegram';

/** The text of the n-th code (pre/code) entity of a Telegram message. */
export function codeEntity(m: Message, n = 0): string {
  const e = (m.entities ?? []).filter((x) => x.type === 'pre' || x.type === 'code')[n];
  if (!e || !m.text) throw new Error(`no code entity #${n} in: ${m.text}`);
  return m.text.slice(e.offset, e.offset + e.length);
}

/** The n-th ``` code block of a Discord message, exactly. */
export function codeBlock(content: string | undefined, n = 0): string {
  const b = [...(content ?? '').matchAll(/```[a-z]*\n([\s\S]*?)\n```/g)][n];
  if (!b) throw new Error(`no code block #${n} in: ${content}`);
  return b[1]!;
}

/** /link then /verify on Telegram with a test wallet; returns the bot's answer to /verify. */
export async function linkWalletOnTelegram(
  u: TelegramUserHandle,
  wallet: { address: string; sign: (m: string) => string | Promise<string> },
) {
  await u.send(`/link ${wallet.address}`);
  const challenge = codeEntity(await u.nextMessage());
  await u.send(`/verify ${await wallet.sign(challenge)}`);
  return u.nextMessage();
}
