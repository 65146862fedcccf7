// A toy feature in one file: a command with a choice parameter, a button and a modal. It is
// registered on both platforms (both menus, both languages) and works end to end in the
// sandboxes: Discord shows a real modal, Telegram asks the same form one field at a time.
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { customId, defineFeature } from '../../core/feature';
import { t } from '../../core/i18n';
import { reply, text } from '../../core/reply';
import { startTestApp, type TestApp } from '../support/app';

// Test-only texts; descriptions and labels reuse catalog keys so both languages exist.
const toy = defineFeature({
  id: 'toy',
  commands: [
    {
      name: 'toy',
      descriptionKey: 'help.points',
      permission: 'everyone',
      params: [
        {
          name: 'level',
          descriptionKey: 'help.lang',
          choices: [
            { value: 'en', labelKey: 'button.english' },
            { value: 'zh', labelKey: 'button.chinese' },
          ],
        },
      ],
      handler: async (ctx, args) =>
        reply([text(`toy ${args.level ?? '-'}`)], {
          buttons: [[{ id: customId('toy', 'open', '42'), label: ctx.t('button.help') }]],
        }),
    },
  ],
  buttons: [
    {
      action: 'open',
      permission: 'everyone',
      handler: async (_ctx, id) => ({ kind: 'modal', action: 'form', arg: id }),
    },
  ],
  modals: [
    {
      action: 'form',
      titleKey: 'help.support',
      permission: 'everyone',
      fields: [
        { kind: 'text', name: 'subject', labelKey: 'help.ask', maxLength: 100 },
        {
          kind: 'select',
          name: 'pick',
          labelKey: 'help.lang',
          options: [
            { value: 'en', labelKey: 'button.english' },
            { value: 'zh', labelKey: 'button.chinese' },
          ],
        },
      ],
      submit: async (_ctx, values, id) => ({
        kind: 'reply',
        reply: reply([text(`got ${id} ${values.subject} ${values.pick}`)]),
        visibility: 'visible',
      }),
    },
  ],
});

describe('a feature module (e2e, both platforms)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    app = await startTestApp(
      {
        DISCORD_TOKEN: dc.token,
        DISCORD_APPLICATION_ID: dc.applicationId,
        DISCORD_GUILD_ID: dc.guildId,
        DISCORD_API_BASE: dc.apiBase,
        ...tg.env(),
      },
      { roles: ['bots'], features: [toy] },
    );
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
  });

  it('is in both menus, in both languages', () => {
    const en = tg.commands().find((c) => c.command === 'toy');
    const zh = tg.commands({ languageCode: 'zh' }).find((c) => c.command === 'toy');
    expect(en?.description).toBe(t('en', 'help.points'));
    expect(zh?.description).toBe(t('zh', 'help.points'));
    const cmd = dc.commands({ guild: true }).find((c) => c.name === 'toy')!;
    expect(cmd.description).toBe(t('en', 'help.points'));
    expect(cmd.description_localizations?.['zh-CN']).toBe(t('zh', 'help.points'));
    const level = cmd.options?.[0] as {
      choices?: Array<{ name: string; name_localizations?: Record<string, string> }>;
    };
    expect(level.choices?.[1]).toMatchObject({ name: '中文', name_localizations: { 'zh-CN': '中文' } });
  });

  it('Discord: command → button → modal → submit', async () => {
    const u = dc.user('410000000000000001', { username: 'toya', locale: 'en-US' });
    const first = await (
      await u.slash('toy', { options: { level: 'zh' }, channelId: dc.generalChannelId })
    ).reply();
    expect(first.content).toBe('toy zh');
    expect(first.ephemeral).toBe(true);
    const press = await u.press(first, 'toy:open:42');
    const modal = await press.modal();
    expect(modal.custom_id).toBe('toy:form:42');
    const submitted = await u.submitModal('toy:form:42', { subject: 'hello', pick: ['zh'] });
    const answer = await submitted.reply();
    expect(answer.content).toBe('got 42 hello zh');
    expect(answer.ephemeral).toBe(false);
  });

  it('Telegram: command → button → the same form asked step by step → submit', async () => {
    const u = tg.user(4101, { languageCode: 'en' });
    await u.send('/toy en');
    const first = await u.nextMessage();
    expect(first.text).toBe('toy en');
    const answer = await u.press(first, 'toy:open:42');
    expect(answer).toBeDefined(); // the callback query was answered
    expect((await u.nextMessage()).text).toContain(t('en', 'help.ask'));
    await u.send('hello');
    const pick = await u.nextMessage();
    expect(pick.text).toContain('(2/2)');
    await u.press(pick, 'form:pick:zh');
    expect((await u.nextMessage()).text).toBe('got 42 hello zh');
  });

  it('Telegram: a half-filled form survives a restart, and /cancel leaves it', async () => {
    const u = tg.user(4102, { languageCode: 'en' });
    await u.send('/toy');
    await u.press(await u.nextMessage(), 'toy:open:42');
    await u.nextMessage();
    await app.stop();
    await app.start();
    await u.send('after restart');
    expect((await u.nextMessage()).text).toContain('(2/2)');
    await u.send('/cancel');
    expect((await u.nextMessage()).text).toBe(t('en', 'dialogue.cancelled'));
    await u.send('plain text again');
    // Out of the dialogue, plain DM text is a question for the assistant.
    expect((await u.nextMessage()).text).toContain(t('en', 'assistant.unknown'));
  });
});
