// Discord's slash-command tree (DESIGN.md: `/link wallet`, `/nodes add|list|remove`, …)
// and how each leaf maps onto the shared command names and parameters.
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { t, type MessageKey } from '../../core/i18n';
import { ADDNODE_NETWORKS } from '../../accounts/node-networks';

interface Leaf {
  /** Shared command it runs. */
  target: string;
  helpKey: MessageKey;
  /** Discord option name → shared parameter name. */
  options?: Array<{
    name: string;
    param: string;
    required?: boolean;
    choices?: string[];
    maxLength?: number;
  }>;
  /** Arguments the leaf implies (e.g. `/alerts unmute` = mute off). */
  fixed?: Record<string, string>;
}

interface TopCommand {
  name: string;
  helpKey: MessageKey;
  leaf?: Leaf;
  subcommands?: Record<string, Leaf>;
}

const NODE_ID = { name: 'node_id', param: 'node_id', required: true, maxLength: 128 };

export const DISCORD_COMMANDS: TopCommand[] = [
  { name: 'start', helpKey: 'help.start', leaf: { target: 'start', helpKey: 'help.start' } },
  { name: 'help', helpKey: 'help.help', leaf: { target: 'help', helpKey: 'help.help' } },
  {
    name: 'lang',
    helpKey: 'help.lang',
    leaf: {
      target: 'lang',
      helpKey: 'help.lang',
      options: [{ name: 'language', param: 'language', required: true, choices: ['en', 'zh'] }],
    },
  },
  {
    name: 'link',
    helpKey: 'help.link',
    subcommands: {
      wallet: {
        target: 'link',
        helpKey: 'help.link',
        options: [{ name: 'address', param: 'wallet', required: true, maxLength: 128 }],
      },
      verify: {
        target: 'verify',
        helpKey: 'help.verify',
        options: [{ name: 'signature', param: 'signature', required: true, maxLength: 256 }],
      },
      list: { target: 'wallets', helpKey: 'help.wallets' },
      remove: {
        target: 'unlink',
        helpKey: 'help.unlink',
        options: [{ name: 'address', param: 'wallet', required: true, maxLength: 128 }],
      },
    },
  },
  {
    name: 'nodes',
    helpKey: 'help.nodes',
    subcommands: {
      add: {
        target: 'addnode',
        helpKey: 'help.addnode',
        options: [NODE_ID, { name: 'network', param: 'network', choices: [...ADDNODE_NETWORKS] }],
      },
      list: { target: 'nodes', helpKey: 'help.nodes' },
      remove: { target: 'removenode', helpKey: 'help.removenode', options: [NODE_ID] },
    },
  },
  { name: 'status', helpKey: 'help.status', leaf: { target: 'status', helpKey: 'help.status' } },
  {
    name: 'alerts',
    helpKey: 'help.mute',
    subcommands: {
      mute: {
        target: 'mute',
        helpKey: 'help.mute',
        options: [{ name: 'duration', param: 'duration', required: true, maxLength: 32 }],
      },
      unmute: { target: 'mute', helpKey: 'help.mute', fixed: { duration: 'off' } },
      settings: { target: 'mute', helpKey: 'help.mute', fixed: { duration: 'status' } },
      maintenance: {
        target: 'maintenance',
        helpKey: 'help.maintenance',
        options: [NODE_ID, { name: 'duration', param: 'duration', required: true, maxLength: 32 }],
      },
    },
  },
  { name: 'points', helpKey: 'help.points', leaf: { target: 'points', helpKey: 'help.points' } },
  {
    name: 'ask',
    helpKey: 'help.ask',
    leaf: {
      target: 'ask',
      helpKey: 'help.ask',
      options: [{ name: 'question', param: 'question', required: true, maxLength: 1000 }],
    },
  },
  {
    name: 'ticket',
    helpKey: 'help.support',
    subcommands: { open: { target: 'support', helpKey: 'help.support' } },
  },
  {
    name: 'report',
    helpKey: 'help.report',
    subcommands: {
      node: {
        target: 'report',
        helpKey: 'help.report',
        options: [NODE_ID, { name: 'reason', param: 'reason', required: true, maxLength: 1000 }],
      },
    },
  },
];

const describe = (key: MessageKey) => ({
  description: t('en', key).slice(0, 100),
  description_localizations: { 'zh-CN': t('zh', key).slice(0, 100), 'zh-TW': t('zh', key).slice(0, 100) },
});

function optionsOf(leaf: Leaf): APIApplicationCommandOption[] {
  return (leaf.options ?? []).map((o) => ({
    type: ApplicationCommandOptionType.String,
    name: o.name,
    ...describe(leaf.helpKey),
    required: o.required ?? false,
    ...(o.maxLength ? { max_length: o.maxLength } : {}),
    ...(o.choices ? { choices: o.choices.map((c) => ({ name: c, value: c })) } : {}),
  })) as APIApplicationCommandOption[];
}

/** JSON bodies for a bulk overwrite of the application's commands. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return DISCORD_COMMANDS.map((c) => ({
    name: c.name,
    ...describe(c.helpKey),
    options: c.leaf
      ? optionsOf(c.leaf)
      : (Object.entries(c.subcommands ?? {}).map(([name, leaf]) => ({
          type: ApplicationCommandOptionType.Subcommand,
          name,
          ...describe(leaf.helpKey),
          options: optionsOf(leaf),
        })) as APIApplicationCommandOption[]),
  }));
}

/** Resolves a used slash command to the shared command and its named arguments. */
export function routeSlash(
  name: string,
  subcommand: string | null,
  getOption: (name: string) => string | null,
): { command: string; args: Record<string, string> } | null {
  const top = DISCORD_COMMANDS.find((c) => c.name === name);
  if (!top) return null;
  const leaf = top.leaf ?? (subcommand ? top.subcommands?.[subcommand] : undefined);
  if (!leaf) return null;
  const args: Record<string, string> = { ...(leaf.fixed ?? {}) };
  for (const o of leaf.options ?? []) {
    const v = getOption(o.name);
    if (v !== null && v !== undefined) args[o.param] = v;
  }
  return { command: leaf.target, args };
}
