// Staff actions on tickets through the real bots: a non-staff user tries every one of them
// (in their own ticket thread on Discord, in a DM on Telegram) and each is
// refused with a clear text while nothing changes; staff doing the same is allowed and
// gives exactly one audit row per action.
import { t } from '../../core/i18n';
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { discordEnv, discordReady, userInThread } from '../support/discord';
import { ticketSnapshot } from '../support/ticketing';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1009876500001;

describe('ticket staff actions: refused for users, one audit row for staff (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;
  const STAFF = '510000000000000001';
  const STAFF2 = '510000000000000002';

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, { title: 'Support staff', isForum: true });
    app = await startTestApp({
      ...discordEnv(dc),
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_MOD_CHANNEL_ID: dc.modChannelId,
      DISCORD_SUPPORT_CHANNEL_ID: dc.supportChannelId,
      ...tg.env(),
      TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
    });
    await discordReady(dc, 'ticket');
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
  });

  const prisma = () => app.tdb.db.prisma;
  const snapshot = (number: number) => ticketSnapshot(prisma(), number);

  async function openOnDiscord(userId: string, name: string) {
    const u = dc.user(userId, { username: name, locale: 'en-US' });
    const modal = await (await u.slash('ticket', { subcommand: 'open' })).modal();
    const reply = await (
      await u.submitModal(modal.custom_id, { category: ['other'], description: 'help me please' })
    ).reply();
    const number = Number(/#(\d+)/.exec(reply.content)![1]);
    const thread = await dc.waitFor(() => dc.threads().find((x) => x.name.startsWith(`#${number} `)), {
      what: 'thread',
      timeoutMs: 20_000,
    });
    await userInThread(dc, thread.id, userId);
    // The card and the first message are in: the ticket is settled before we snapshot it.
    await dc.waitFor(() => dc.channel(thread.id).messages().length >= 2, { what: 'card' });
    return { u, number, thread };
  }

  it('Discord: in their own ticket thread, a user is refused every staff command; nothing changes', async () => {
    const { u, number, thread } = await openOnDiscord('510000000000000101', 'ann');
    const before = await snapshot(number);
    const refusedText = t('en', 'error.forbidden.staff');
    const tries: [string, Record<string, string>][] = [
      ['claim', {}],
      ['unclaim', {}],
      ['assign', { who: u.id }],
      ['priority', { level: 'urgent' }],
      ['tags', { tags: 'vip' }],
      ['note', { text: 'secret' }],
      ['snippet', { name: 'hello' }],
      ['snippet-save', { text: 'hello Hi there' }],
      ['stats', {}],
      ['panel', {}],
    ];
    for (const [subcommand, options] of tries) {
      const r = await (await u.slash('ticket', { subcommand, channelId: thread.id, options })).reply();
      expect([subcommand, r.content]).toEqual([subcommand, refusedText]);
    }
    expect(await snapshot(number)).toEqual(before);
  });

  it('Discord: staff actions are allowed, each audited exactly once; assign needs a staff assignee', async () => {
    const staff = dc.user(STAFF, { username: 'sam', roles: [dc.staffRoleId] });
    dc.user(STAFF2, { username: 'kim', roles: [dc.staffRoleId] });
    const { u, number, thread } = await openOnDiscord('510000000000000102', 'bo');
    // kim is known to nodedesk once she has used it.
    await (await dc.user(STAFF2).slash('ticket', { subcommand: 'stats', channelId: thread.id })).reply();
    const ticketId = (await prisma().ticket.findUniqueOrThrow({ where: { number } })).id;
    const audits = () =>
      prisma().auditEvent.findMany({ where: { subjectId: ticketId }, orderBy: { id: 'asc' } });
    const baseline = (await audits()).length; // ticket.open

    const say = async (subcommand: string, options: Record<string, string> = {}) =>
      (await (await staff.slash('ticket', { subcommand, channelId: thread.id, options })).reply()).content;
    expect(await say('claim')).toContain(`#${number}`);
    expect(await say('priority', { level: 'high' })).toContain('high');
    expect(await say('tags', { tags: 'gpu driver' })).toContain('gpu, driver');
    expect(await say('assign', { who: u.id })).toBe(t('en', 'tickets.error.bad_assignee', { who: u.id }));
    expect(await say('assign', { who: '@kim' })).toContain('kim');
    expect(await say('note', { text: 'internal' })).toBeTruthy();

    const rows = (await audits()).slice(baseline);
    expect(rows.map((r) => r.action)).toEqual([
      'staff.tickets.claim',
      'staff.tickets.priority',
      'staff.tickets.tags',
      'staff.tickets.assign',
      'staff.tickets.note',
    ]);
    expect(rows[3]!.details).toMatchObject({ action: 'ticket.assign', number });
    const row = await prisma().ticket.findUniqueOrThrow({ where: { number } });
    expect(row).toMatchObject({ priority: 'HIGH', tags: ['gpu', 'driver'], assigneeName: 'kim' });
  });

  it('Telegram: a user outside the staff chat is refused every staff command', async () => {
    const u = tg.user(9101, { firstName: 'Cy', languageCode: 'en' });
    await u.send('/support my rig');
    await u.press(await u.nextMessage(), { text: 'Something else' });
    const number = Number(/#(\d+)/.exec((await u.nextMessage()).text ?? '')![1]);
    await waitFor(async () => (await prisma().ticket.findUnique({ where: { number } }))?.homeKey ?? null, {
      what: 'topic opened',
    });
    const other = tg.user(9102, { firstName: 'Di', languageCode: 'en' });
    await other.send('/support not mine');
    await other.press(await other.nextMessage(), { text: 'Something else' });
    const otherNumber = Number(/#(\d+)/.exec((await other.nextMessage()).text ?? '')![1]);
    await waitFor(
      async () => (await prisma().ticket.findUnique({ where: { number: otherNumber } }))?.homeKey ?? null,
      { what: 'second topic opened' },
    );
    // Both topics have their context card: the tickets are settled before the snapshot.
    await waitFor(
      async () =>
        (await prisma().ticketMessage.count({
          where: { kind: 'SYSTEM', ticket: { number: { in: [number, otherNumber] } } },
        })) === 2 || null,
      { what: 'context cards' },
    );
    const before = await snapshot(number);
    const beforeOther = await snapshot(otherNumber);
    for (const cmd of [
      '/claim',
      '/unclaim',
      '/assign 9101',
      '/priority urgent',
      '/tags vip',
      '/note secret',
      '/snippet hello',
      '/snippet_save hello Hi',
      '/ticket_stats',
    ]) {
      await u.send(cmd);
      const r = await u.nextMessage();
      expect([cmd, r.text]).toEqual([cmd, t('en', 'error.forbidden.staff')]);
    }
    await tg.drained();
    expect(await snapshot(number)).toEqual(before);
    expect(await snapshot(otherNumber)).toEqual(beforeOther);
  });
});
