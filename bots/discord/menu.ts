// Discord's application command tree, built from the feature declarations: top-level
// commands and groups of subcommands, descriptions and choice names localized from the
// i18n catalog.
import {
  ApplicationCommandOptionType,
  type APIApplicationCommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { t, type MessageKey } from '../../core/i18n';
import type { FeatureRegistry, DiscordLeaf } from '../shared/registry';

/** Discord locales our Chinese catalog serves. */
const ZH_LOCALES = ['zh-CN', 'zh-TW'] as const;

const localized = (key: MessageKey, max: number) =>
  Object.fromEntries(ZH_LOCALES.map((l) => [l, t('zh', key).slice(0, max)]));

const describe = (key: MessageKey) => ({
  description: t('en', key).slice(0, 100),
  description_localizations: localized(key, 100),
});

function optionsOf(leaf: DiscordLeaf): APIApplicationCommandOption[] {
  const fixed = leaf.placement.fixed ?? {};
  return (leaf.command.params ?? [])
    .filter((p) => !(p.name in fixed))
    .map((p) => ({
      type: ApplicationCommandOptionType.String,
      name: p.discordName ?? p.name,
      ...describe(p.descriptionKey),
      required: p.required ?? false,
      ...(p.maxLength ? { max_length: p.maxLength } : {}),
      ...(p.choices
        ? {
            choices: p.choices.map((c) => ({
              name: c.labelKey ? t('en', c.labelKey).slice(0, 100) : c.value,
              ...(c.labelKey ? { name_localizations: localized(c.labelKey, 100) } : {}),
              value: c.value,
            })),
          }
        : {}),
    })) as APIApplicationCommandOption[];
}

/** JSON bodies for a bulk overwrite of the application's commands. */
export function commandDefinitions(
  registry: FeatureRegistry,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [...registry.discordTree.values()].map((top) => ({
    name: top.name,
    ...describe(top.descriptionKey),
    options: top.leaf
      ? optionsOf(top.leaf)
      : ([...top.subcommands!.entries()].map(([name, leaf]) => ({
          type: ApplicationCommandOptionType.Subcommand,
          name,
          ...describe(leaf.placement.descriptionKey ?? leaf.command.descriptionKey),
          options: optionsOf(leaf),
        })) as APIApplicationCommandOption[]),
  }));
}
