// The Telegram command menu, built from the feature declarations: one list per language
// for everyone, and in the staff chat the same plus the staff commands.
import type { Api } from 'grammy';
import { LOCALES, t } from '../../core/i18n';
import type { CommandDecl } from '../../core/feature';
import type { FeatureRegistry } from '../shared/registry';

const menuOf = (commands: CommandDecl[], locale: string) =>
  commands.map((c) => ({ command: c.name, description: t(locale, c.descriptionKey).slice(0, 256) }));

export async function publishCommands(
  api: Api,
  registry: FeatureRegistry,
  staffChatId?: string,
): Promise<void> {
  const listed = registry.commands().filter((c) => c.telegram !== false);
  const everyone = listed.filter((c) => c.permission === 'everyone');
  for (const locale of LOCALES) {
    const language = locale === 'en' ? {} : { language_code: locale };
    await api.setMyCommands(menuOf(everyone, locale), language);
    if (staffChatId && listed.length > everyone.length)
      await api.setMyCommands(menuOf(listed, locale), {
        ...language,
        scope: { type: 'chat', chat_id: /^-?\d+$/.test(staffChatId) ? Number(staffChatId) : staffChatId },
      });
  }
}
