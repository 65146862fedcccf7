// Staff-only commands and buttons, declared once, enforced on both platforms: refused with
// a localized message (nothing changed, nothing audited), allowed and audited for staff;
// a forged callback (a valid id pressed by someone without the role) is refused too.
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { defineFeature } from '../../core/feature';
import { t } from '../../core/i18n';
import { reply, text } from '../../core/reply';
import { startTestApp, type TestApp } from '../support/app';

const STAFF_CHAT = -1001234;
let changes = 0;

const staffOnly = defineFeature({
  id: 'staffy',
  commands: [
    {
      name: 'purge',
      descriptionKey: 'help.removenode',
      permission: 'staff',
      handler: async (ctx) => {
        changes++;
        ctx.auditAs({ subjectType: 'toy', subjectId: 'purge-1' });
        return {
          kind: 'reply',
          visibility: 'visible',
          reply: reply([text('purged')], { buttons: [[{ id: 'staffy:approve:7', label: 'approve' }]] }),
        };
      },
    },
  ],
  buttons: [
    {
      action: 'approve',
      permission: 'staff',
      handler: async (ctx, id) => {
        changes++;
        ctx.auditAs({ subjectType: 'toy', subjectId: id });
        return { kind: 'update', reply: reply([text(`approved ${id}`)]) };
      },
    },
  ],
});

describe('permissions (e2e, both platforms)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;
  const audits = (action: string) => app.tdb.db.prisma.auditEvent.findMany({ where: { action } });

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, { title: 'staff', isForum: true });
    app = await startTestApp(
      {
        DISCORD_TOKEN: dc.token,
        DISCORD_APPLICATION_ID: dc.applicationId,
        DISCORD_GUILD_ID: dc.guildId,
        DISCORD_API_BASE: dc.apiBase,
        DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
        ...tg.env(),
        TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
      },
      { roles: ['bots'], features: [staffOnly] },
    );
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
  });

  it('Discord: a member without a staff role is refused for the command and a forged button; staff is allowed and audited', async () => {
    const before = changes;
    const member = dc.user('420000000000000001', { username: 'mem', locale: 'en-US' });
    const refused = await (await member.slash('purge', { channelId: dc.generalChannelId })).reply();
    expect(refused.content).toBe(t('en', 'error.forbidden.staff'));
    expect(refused.ephemeral).toBe(true);
    expect(changes).toBe(before);
    expect(await audits('staff.staffy.purge')).toHaveLength(0);

    const staff = dc.user('420000000000000002', {
      username: 'boss',
      locale: 'en-US',
      roles: [dc.staffRoleId],
    });
    const card = await (await staff.slash('purge', { channelId: dc.generalChannelId })).reply();
    expect(card.content).toBe('purged');
    expect(card.ephemeral).toBe(false);
    expect(changes).toBe(before + 1);
    const rows = await audits('staff.staffy.purge');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subjectType: 'toy', subjectId: 'purge-1' });

    // The card is visible in #general: a non-staff member presses its staff button.
    const forged = await (await member.press(card, 'staffy:approve:7')).reply();
    expect(forged.content).toBe(t('en', 'error.forbidden.staff'));
    expect(dc.message(card.id)?.content).toBe('purged');
    expect(await audits('staff.staffy.approve')).toHaveLength(0);
    expect(changes).toBe(before + 1);

    const approved = await (await staff.press(card, 'staffy:approve:7')).reply();
    expect(approved.content).toBe('approved 7');
    expect(dc.message(card.id)?.content).toBe('approved 7');
    expect(await audits('staff.staffy.approve')).toHaveLength(1);
  });

  it('Telegram: a user outside the staff group is refused (command and forged callback); a member is allowed and audited', async () => {
    const before = changes;
    const stranger = tg.user(4201, { languageCode: 'zh' });
    await stranger.send('/purge');
    expect((await stranger.nextMessage()).text).toBe(t('zh', 'error.forbidden.staff'));
    expect(changes).toBe(before);

    const staff = tg.user(4202, { languageCode: 'en' });
    const group = tg.group(STAFF_CHAT);
    group.setMember(staff, 'member');
    await staff.send('/purge');
    const card = await staff.nextMessage();
    expect(card.text).toBe('purged');
    expect(changes).toBe(before + 1);
    expect((await audits('staff.staffy.purge')).length).toBe(2);

    // A former member (kicked) presses a valid staff button: refused with an alert, nothing changed.
    const former = tg.user(4203, { languageCode: 'en' });
    group.setMember(former, 'kicked');
    await group.send(staff, '/purge@' + tg.bot.username);
    const groupCard = await group.nextMessage();
    const answer = await group.press(former, groupCard, 'staffy:approve:7');
    expect(answer).toMatchObject({ text: t('en', 'error.forbidden.staff'), show_alert: true });
    expect(group.messages().find((m) => m.message_id === groupCard.message_id)?.text).toBe('purged');
    expect(changes).toBe(before + 2);
    expect(await audits('staff.staffy.approve')).toHaveLength(1);

    const ok = await group.press(staff, groupCard, 'staffy:approve:7');
    expect(ok.text).toBeUndefined();
    await tg.waitFor(({ sent }) => sent.some((m) => m.text === 'approved 7'), { what: 'edited card' });
    expect(
      group.messages().filter((m) => m.from?.is_bot && /purged|approved/.test(m.text ?? '')),
    ).toHaveLength(1);
    expect(await audits('staff.staffy.approve')).toHaveLength(2);
  });

  it('the staff command is only in the staff chat menu on Telegram', () => {
    expect(tg.commands().some((c) => c.command === 'purge')).toBe(false);
    const staffMenu = tg.commands({ scope: { type: 'chat', chat_id: STAFF_CHAT } });
    expect(staffMenu.some((c) => c.command === 'purge')).toBe(true);
  });
});
