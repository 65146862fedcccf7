// The visitor's Telegram: their private chat with the bot, driven through the emulator
// exactly as a Telegram app would (a message update per line typed, a callback query per
// button pressed). Heartbeat tokens the bot hands out start the console's agent.
import type { Message } from '@grammyjs/types';
import type { TelegramSandbox, TelegramUserHandle } from '../../sandbox/telegram';
import type { DemoWallet } from '../cast';
import { esc, telegramMessage } from './render';

export interface TokenSink {
  (nodeId: string, token: string, platform: 'telegram' | 'discord'): void;
}

/** The text of the first code entity, or undefined. */
export function firstCode(m: Message): string | undefined {
  const e = (m.entities ?? []).find((x) => x.type === 'pre' || x.type === 'code');
  return e && m.text ? m.text.slice(e.offset, e.offset + e.length) : undefined;
}

export class TelegramPane {
  readonly user: TelegramUserHandle;

  constructor(
    private readonly tg: TelegramSandbox,
    userId: number,
    private readonly wallet: DemoWallet,
    private readonly onToken: TokenSink,
  ) {
    this.user = tg.user(userId);
  }

  async send(text: string): Promise<void> {
    const trimmed = text.trim();
    if (!trimmed) throw new Error('Type a message first.');
    const sent = await this.user.send(trimmed);
    const add = /^\/addnode(?:@\S+)?\s+(\S+)/.exec(trimmed);
    if (add) void this.captureToken(add[1]!, sent.message_id);
  }

  async press(messageId: number, data: string): Promise<void> {
    await this.user.press(messageId, data);
  }

  /** Sends /link with the demo wallet's address. */
  link(): Promise<void> {
    return this.send(`/link ${this.wallet.address}`);
  }

  /** Signs the latest challenge for the demo wallet (as the wallet app would) and sends /verify. */
  async sign(): Promise<void> {
    const challenge = [...this.user.transcript()]
      .reverse()
      .find((t) => t.fromBot && (firstCode(t.message) ?? '').includes(this.wallet.address));
    const text = challenge && firstCode(challenge.message);
    if (!text) throw new Error('No challenge for the demo wallet yet: send /link with it first.');
    await this.send(`/verify ${this.wallet.sign(text)}`);
  }

  /** The heartbeat token is the code entity of the bot's answer to /addnode (shown once). */
  private async captureToken(nodeId: string, afterId: number): Promise<void> {
    const reply = await this.tg
      .waitFor(
        () =>
          this.user
            .transcript()
            .find((t) => t.fromBot && t.message.message_id > afterId && t.message.text?.includes(nodeId)),
        { timeoutMs: 20_000, what: `the answer to /addnode ${nodeId}` },
      )
      .catch(() => undefined);
    const token = reply && firstCode(reply.message);
    if (token && /^[A-Za-z0-9_-]{16,}$/.test(token)) this.onToken(nodeId, token, 'telegram');
  }

  render(): string {
    const items = this.user.transcript();
    if (items.length === 0)
      return `<div class="empty">Say hello: press <b>/start</b> below, or follow the guide.</div>`;
    return items.map((t) => telegramMessage(t.message, t.fromBot, '/api/tg/press')).join('');
  }

  static chips(wallet: DemoWallet): string {
    const chip = (label: string, action: string, body: unknown = {}) =>
      `<button class="chip" data-action="${action}" data-body="${esc(JSON.stringify(body))}">${esc(label)}</button>`;
    return [
      chip('/start', '/api/tg/send', { text: '/start' }),
      chip(`/link ${wallet.address.slice(0, 6)}…`, '/api/tg/link'),
      chip('✍ Sign with demo wallet', '/api/tg/sign'),
      chip('/addnode rig-tg-01', '/api/tg/send', { text: '/addnode rig-tg-01' }),
      chip('/addnode sim-1', '/api/tg/send', { text: '/addnode sim-1' }),
      chip('/status', '/api/tg/send', { text: '/status' }),
      chip('/nodes', '/api/tg/send', { text: '/nodes' }),
      chip('/help', '/api/tg/send', { text: '/help' }),
    ].join('');
  }
}
