// /start, /help, /lang and the buttons under the welcome message. The button ids
// (`help:`, `lang:en`, `lang:zh`) predate feature prefixes; the aliases keep them working
// on messages already sent.
import {
  allows,
  defineFeature,
  type CommandDecl,
  type FeatureContext,
  type FeatureModule,
} from '../../../core/feature';
import { isLocale, LOCALES, t } from '../../../core/i18n';
import { list, reply, text, title, type Reply } from '../../../core/reply';
import type { Services } from '../../shared/services';

function helpReply(ctx: FeatureContext, commands: readonly CommandDecl[]): Reply {
  const lines = commands
    .filter((c) => c.telegram !== false && c.help !== false && allows(c.permission, ctx.actor.roles))
    .map((c) => {
      const params = c.params ?? [];
      const usage = params.length ? ' ' + params.map((p) => `<${p.name}>`).join(' ') : '';
      return `/${c.name}${usage} — ${ctx.t(c.descriptionKey)}`;
    });
  return reply([
    title(ctx.t('help.title')),
    list(lines),
    text(ctx.t('help.footer', { lang: ctx.t('lang.name') })),
  ]);
}

async function setLanguage(ctx: FeatureContext, services: Services, raw: string): Promise<Reply> {
  const code = raw.trim().toLowerCase();
  if (!code) return reply([text(ctx.t('lang.usage'))]);
  if (!isLocale(code)) return reply([text(ctx.t('lang.unknown', { code: code.slice(0, 16) }))]);
  const updated = await services.identities.setLocale(ctx.actor.identity.id, code);
  return reply([text(t(updated.locale, 'lang.changed'))]);
}

/** `commands` lists every registered command (for /help), read when /help runs. */
export function basicsFeature(services: Services, commands: () => readonly CommandDecl[]): FeatureModule {
  return defineFeature({
    id: 'start',
    aliases: ['help', 'lang'],
    commands: [
      {
        name: 'start',
        descriptionKey: 'help.start',
        permission: 'everyone',
        handler: async (ctx) =>
          reply([text(ctx.t('start.welcome', { name: ctx.actor.displayName })), text(ctx.t('start.next'))], {
            buttons: [
              [{ id: 'help:', label: ctx.t('button.help') }],
              [
                { id: 'lang:en', label: ctx.t('button.english') },
                { id: 'lang:zh', label: ctx.t('button.chinese') },
              ],
            ],
          }),
      },
      {
        name: 'help',
        descriptionKey: 'help.help',
        permission: 'everyone',
        handler: async (ctx) => helpReply(ctx, commands()),
      },
      {
        name: 'cancel',
        descriptionKey: 'help.cancel',
        permission: 'everyone',
        // Discord modals close themselves; dialogues run in Telegram DMs.
        discord: false,
        handler: async (ctx) => {
          const running = await ctx.dialogue.current();
          if (!running) return reply([text(ctx.t('dialogue.none'))]);
          await ctx.dialogue.end();
          return reply([text(ctx.t('dialogue.cancelled'))]);
        },
      },
      {
        name: 'lang',
        descriptionKey: 'help.lang',
        permission: 'everyone',
        params: [
          {
            name: 'language',
            descriptionKey: 'help.lang',
            required: true,
            maxLength: 16,
            choices: LOCALES.map((value) => ({ value })),
          },
        ],
        handler: (ctx, args) => setLanguage(ctx, services, args.language ?? ''),
      },
    ],
    buttons: [
      { action: '', permission: 'everyone', handler: async (ctx) => helpReply(ctx, commands()) },
      ...LOCALES.map((code) => ({
        action: code,
        permission: 'everyone' as const,
        handler: (ctx: FeatureContext) => setLanguage(ctx, services, code),
      })),
    ],
  });
}
