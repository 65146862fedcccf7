// The chat commands both platforms offer (DESIGN.md "Chat commands"), their parameters,
// and the handler each one calls. Adapters map platform input onto these names.
import { isLocale, LOCALES, t, type Locale, type MessageKey } from '../../core/i18n';
import type { IdentityRecord } from '../../accounts/identity';
import { list, reply, text, title, type Reply } from '../../core/reply';
import type { Services } from './services';
import * as walletHandlers from './handlers/wallets';
import * as nodeHandlers from './handlers/nodes';
import * as alertHandlers from './handlers/alerts';
import { ADDNODE_NETWORKS } from '../../accounts/node-networks';

export interface CommandContext {
  identity: IdentityRecord;
  locale: Locale;
  services: Services;
  /** Display name for greetings (user-controlled: rendered escaped by the adapter). */
  displayName: string;
}

export interface ParamSpec {
  name: string;
  /** Takes the rest of the line (free text). */
  rest?: boolean;
  required?: boolean;
  choices?: readonly string[];
  maxLength?: number;
}

export interface CommandSpec {
  name: string;
  helpKey: MessageKey;
  params: ParamSpec[];
  handler?: (ctx: CommandContext, args: Record<string, string>) => Promise<Reply>;
}

export const tr = (ctx: { locale: Locale }, key: MessageKey, params?: Record<string, string | number>) =>
  t(ctx.locale, key, params);

function helpReply(ctx: CommandContext): Reply {
  const lines = COMMANDS.map(
    (c) =>
      `/${c.name}${c.params.length ? ' ' + c.params.map((p) => `<${p.name}>`).join(' ') : ''} — ${tr(ctx, c.helpKey)}`,
  );
  return reply([
    title(tr(ctx, 'help.title')),
    list(lines),
    text(tr(ctx, 'help.footer', { lang: tr(ctx, 'lang.name') })),
  ]);
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'start',
    helpKey: 'help.start',
    params: [],
    handler: async (ctx) =>
      reply([text(tr(ctx, 'start.welcome', { name: ctx.displayName })), text(tr(ctx, 'start.next'))], {
        buttons: [
          [{ id: 'help:', label: tr(ctx, 'button.help') }],
          [
            { id: 'lang:en', label: tr(ctx, 'button.english') },
            { id: 'lang:zh', label: tr(ctx, 'button.chinese') },
          ],
        ],
      }),
  },
  { name: 'help', helpKey: 'help.help', params: [], handler: async (ctx) => helpReply(ctx) },
  {
    name: 'lang',
    helpKey: 'help.lang',
    params: [{ name: 'language', choices: LOCALES, maxLength: 16 }],
    handler: async (ctx, args) => {
      const code = (args.language ?? '').trim().toLowerCase();
      if (!code) return reply([text(tr(ctx, 'lang.usage'))]);
      if (!isLocale(code)) return reply([text(tr(ctx, 'lang.unknown', { code: code.slice(0, 16) }))]);
      const updated = await ctx.services.identities.setLocale(ctx.identity.id, code);
      return reply([text(t(updated.locale, 'lang.changed'))]);
    },
  },
  {
    name: 'link',
    helpKey: 'help.link',
    params: [{ name: 'wallet', maxLength: 128 }],
    handler: walletHandlers.link,
  },
  {
    name: 'verify',
    helpKey: 'help.verify',
    params: [{ name: 'signature', maxLength: 256 }],
    handler: walletHandlers.verify,
  },
  { name: 'wallets', helpKey: 'help.wallets', params: [], handler: walletHandlers.wallets },
  {
    name: 'unlink',
    helpKey: 'help.unlink',
    params: [{ name: 'wallet', maxLength: 128 }],
    handler: walletHandlers.unlink,
  },
  {
    name: 'addnode',
    helpKey: 'help.addnode',
    params: [
      { name: 'node_id', maxLength: 128 },
      { name: 'network', choices: ADDNODE_NETWORKS, maxLength: 16 },
    ],
    handler: nodeHandlers.addnode,
  },
  { name: 'nodes', helpKey: 'help.nodes', params: [], handler: nodeHandlers.nodes },
  {
    name: 'removenode',
    helpKey: 'help.removenode',
    params: [{ name: 'node_id', maxLength: 128 }],
    handler: nodeHandlers.removenode,
  },
  { name: 'status', helpKey: 'help.status', params: [], handler: alertHandlers.status },
  {
    name: 'mute',
    helpKey: 'help.mute',
    params: [{ name: 'duration', maxLength: 32 }],
    handler: alertHandlers.mute,
  },
  {
    name: 'maintenance',
    helpKey: 'help.maintenance',
    params: [
      { name: 'node_id', maxLength: 128 },
      { name: 'duration', maxLength: 32 },
    ],
    handler: alertHandlers.maintenance,
  },
  { name: 'points', helpKey: 'help.points', params: [] },
  {
    name: 'ask',
    helpKey: 'help.ask',
    params: [{ name: 'question', rest: true, required: true, maxLength: 1000 }],
  },
  { name: 'support', helpKey: 'help.support', params: [] },
  {
    name: 'report',
    helpKey: 'help.report',
    params: [
      { name: 'node_id', required: true, maxLength: 128 },
      { name: 'reason', rest: true, required: true, maxLength: 1000 },
    ],
  },
];

export const COMMANDS_BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/** Splits a Telegram-style argument string into the command's named parameters. */
export function parseArgs(spec: CommandSpec, raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = raw.trim();
  for (const p of spec.params) {
    if (!rest) break;
    if (p.rest) {
      out[p.name] = rest;
      rest = '';
      break;
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
    if (!m) break;
    out[p.name] = m[1]!;
    rest = m[2] ?? '';
  }
  return out;
}
