// The visitor's Discord: slash commands in #general (answers are ephemeral, "only you can
// see this") and the bot's DMs, in one timeline. Typed text becomes an interaction for a
// registered command, with its options checked by the emulator as Discord would.
import { ApplicationCommandOptionType, type APIApplicationCommandOption } from 'discord-api-types/v10';
import type { DiscordSandbox, SandboxUser, SentMessage } from '../../sandbox/discord';
import type { DemoWallet } from '../cast';
import { discordMessage, esc } from './render';
import type { TokenSink } from './telegram';

type Options = Record<string, string | number | boolean>;

/** The first ``` code block of a Discord message. */
export function firstCodeBlock(content: string | undefined): string | undefined {
  return /```[a-z]*\n([\s\S]*?)\n```/.exec(content ?? '')?.[1];
}

function coerce(opt: APIApplicationCommandOption, raw: string): string | number | boolean {
  if (opt.type === ApplicationCommandOptionType.Integer || opt.type === ApplicationCommandOptionType.Number)
    return Number(raw);
  if (opt.type === ApplicationCommandOptionType.Boolean) return /^(true|yes|1)$/i.test(raw);
  return raw;
}

export class DiscordPane {
  readonly user: SandboxUser;

  constructor(
    private readonly dc: DiscordSandbox,
    private readonly userId: string,
    private readonly wallet: DemoWallet,
    private readonly onToken: TokenSink,
  ) {
    this.user = dc.user(userId);
  }

  /** "/nodes add rig-1", "/link wallet <address>", "/alerts mute duration:2h": as Discord's picker would fill it. */
  parse(text: string): { name: string; subcommand?: string; group?: string; options: Options } {
    const m = /^\/(\S+)\s*([\s\S]*)$/.exec(text.trim());
    if (!m) throw new Error('On Discord the bot answers slash commands: start with "/", e.g. /help.');
    const name = m[1]!.toLowerCase();
    const cmd = this.dc.commands({ guild: true }).find((c) => c.name === name);
    if (!cmd) throw new Error(`Discord has no /${name} command here. Try /help.`);
    let words = m[2]!.trim() ? m[2]!.trim().split(/\s+/) : [];
    let options = (cmd.options ?? []) as APIApplicationCommandOption[];
    const out: { name: string; subcommand?: string; group?: string; options: Options } = {
      name,
      options: {},
    };
    const pick = (type: ApplicationCommandOptionType) => {
      const found = options.find((o) => o.type === type && o.name === words[0]?.toLowerCase());
      if (!found) return undefined;
      words = words.slice(1);
      options = ('options' in found ? found.options : []) as APIApplicationCommandOption[];
      return found.name;
    };
    const group = pick(ApplicationCommandOptionType.SubcommandGroup);
    if (group) out.group = group;
    const sub = pick(ApplicationCommandOptionType.Subcommand);
    if (sub) out.subcommand = sub;
    if (!sub && options.some((o) => o.type === ApplicationCommandOptionType.Subcommand)) {
      const subs = options.map((o) => o.name).join(', ');
      throw new Error(`/${name} needs one of: ${subs} (e.g. /${name} ${options[0]!.name} …).`);
    }
    const named = new Map<string, string>();
    const positional: string[] = [];
    for (const w of words) {
      const kv = /^([a-z_]+):(.*)$/.exec(w);
      if (kv && options.some((o) => o.name === kv[1])) named.set(kv[1]!, kv[2]!);
      else positional.push(w);
    }
    const free = options.filter((o) => !named.has(o.name));
    free.forEach((o, i) => {
      if (i >= positional.length) return;
      // The last option takes the rest, so "/ask how do points work" stays one question.
      named.set(o.name, i === free.length - 1 ? positional.slice(i).join(' ') : positional[i]!);
    });
    for (const o of options) {
      const raw = named.get(o.name);
      if (raw !== undefined && raw !== '') out.options[o.name] = coerce(o, raw);
    }
    return out;
  }

  async send(text: string): Promise<void> {
    const p = this.parse(text);
    const i = await this.user.slash(p.name, {
      ...(p.subcommand ? { subcommand: p.subcommand } : {}),
      ...(p.group ? { group: p.group } : {}),
      options: p.options,
    });
    if (p.name === 'nodes' && p.subcommand === 'add' && typeof p.options.node_id === 'string') {
      const nodeId = p.options.node_id;
      void i
        .reply({ timeoutMs: 20_000 })
        .then((r) => {
          const token = firstCodeBlock(r.content);
          if (token && /^[A-Za-z0-9_-]{16,}$/.test(token)) this.onToken(nodeId, token, 'discord');
        })
        .catch(() => {});
    }
  }

  async press(messageId: string, customId: string, values?: string[]): Promise<void> {
    if (values) await this.user.select(messageId, customId, values);
    else await this.user.press(messageId, customId);
  }

  link(): Promise<void> {
    return this.send(`/link wallet ${this.wallet.address}`);
  }

  async sign(): Promise<void> {
    const challenge = [...this.messages()]
      .reverse()
      .map((m) => firstCodeBlock(m.content))
      .find((c) => c?.includes(this.wallet.address));
    if (!challenge) throw new Error('No challenge for the demo wallet yet: send /link wallet with it first.');
    await this.send(`/link verify signature:${this.wallet.sign(challenge)}`);
  }

  /** Bot messages this user sees: ephemeral answers to their commands, and their DMs. */
  messages(): SentMessage[] {
    const s = this.dc.state;
    const dm = s.users.get(this.userId)?.dmChannelId;
    const out: SentMessage[] = [];
    for (const rec of s.messages.values()) {
      if (rec.deleted) continue;
      const mine = rec.interactionId && s.interactions.get(rec.interactionId)?.userId === this.userId;
      if ((dm && rec.api.channel_id === dm) || mine) out.push(s.view(rec));
    }
    return out;
  }

  render(): string {
    const s = this.dc.state;
    const dm = s.users.get(this.userId)?.dmChannelId;
    const items: Array<{ at: number; html: string }> = [];
    for (const rec of s.interactions.values()) {
      if (rec.userId !== this.userId) continue;
      items.push({ at: rec.createdAt, html: commandBubble(rec.payload) });
    }
    for (const m of this.messages()) {
      const where = m.channel_id === dm ? 'DM' : `#general · only you can see this`;
      items.push({
        at: Date.parse(m.timestamp) + 1,
        html: discordMessage(m, m.author.id === this.userId, '/api/dc/press', where),
      });
    }
    if (items.length === 0)
      return `<div class="empty">Type a slash command below (try <b>/start</b>), or follow the guide.</div>`;
    return items
      .sort((a, b) => a.at - b.at)
      .map((x) => x.html)
      .join('');
  }

  static chips(wallet: DemoWallet): string {
    const chip = (label: string, action: string, body: unknown = {}) =>
      `<button class="chip" data-action="${action}" data-body="${esc(JSON.stringify(body))}">${esc(label)}</button>`;
    return [
      chip('/start', '/api/dc/send', { text: '/start' }),
      chip(`/link wallet ${wallet.address.slice(0, 6)}…`, '/api/dc/link'),
      chip('✍ Sign with demo wallet', '/api/dc/sign'),
      chip('/nodes add rig-dc-01', '/api/dc/send', { text: '/nodes add rig-dc-01' }),
      chip('/status', '/api/dc/send', { text: '/status' }),
      chip('/nodes list', '/api/dc/send', { text: '/nodes list' }),
      chip('/help', '/api/dc/send', { text: '/help' }),
    ].join('');
  }
}

/** How Discord shows a used command: "/nodes add node_id: rig-1"; a press as a small note. */
function commandBubble(payload: unknown): string {
  const p = payload as { type?: number; data?: { name?: string; custom_id?: string; options?: unknown[] } };
  if (p.type !== 2)
    return p.data?.custom_id
      ? `<div class="msg me press"><div class="text">pressed a button</div></div>`
      : '';
  const parts = [`/${p.data?.name ?? ''}`];
  const walk = (opts: unknown[] | undefined) => {
    for (const o of (opts ?? []) as Array<{
      name: string;
      type: number;
      value?: unknown;
      options?: unknown[];
    }>) {
      if (o.type === 1 || o.type === 2) {
        parts.push(o.name);
        walk(o.options);
      } else parts.push(`${o.name}: ${String(o.value)}`);
    }
  };
  walk(p.data?.options);
  return `<div class="msg me"><div class="who">you</div><div class="text">${esc(parts.join(' '))}</div></div>`;
}
