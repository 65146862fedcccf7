// Several guilds, one deployment (Modmail #3245): two real emulator guilds, A (the default)
// and B, each with its own support channel (DISCORD_SUPPORT_CHANNELS) and staff role (both
// in DISCORD_STAFF_ROLE_IDS), and no DISCORD_GUILD_ID, so the commands are global. A
// ticket opened in B gets its thread in B's channel and is worked by B's staff; staff of A
// only are plain members in B, so the roles their interactions carry there grant nothing.
// A ticket with no guild (a Telegram user's, TICKETS_HOME=discord) uses
// DISCORD_SUPPORT_CHANNEL_ID.
import { t } from '../../core/i18n';
import { startDiscordSandbox, type DiscordSandbox, type GuildInfo } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { discordEnv, discordReady, userInThread } from '../support/discord';
import { ticketSnapshot } from '../support/ticketing';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_A = '500000000000000311';
const STAFF_B = '500000000000000312';

describe('tickets in several guilds (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;
  let b: GuildInfo;
  let defaultChannel: string;

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    b = dc.createGuild({ name: 'Guild B' });
    // Tickets with no guild of their own go to a channel of neither guild's map.
    defaultChannel = dc.createChannel({ name: 'tickets-elsewhere' }).id;
    dc.user(STAFF_A, { username: 'ada', roles: [dc.staffRoleId] });
    dc.user(STAFF_A, { guildId: b.id }); // in B too, without B's staff role
    dc.user(STAFF_B, { username: 'bob', guildId: b.id, roles: [b.staffRoleId] });
    app = await startTestApp({
      ...discordEnv(dc),
      DISCORD_GUILD_ID: undefined,
      DISCORD_STAFF_ROLE_IDS: `${dc.staffRoleId},${b.staffRoleId}`,
      DISCORD_SUPPORT_CHANNEL_ID: defaultChannel,
      DISCORD_SUPPORT_CHANNELS: `${dc.guildId}:${dc.supportChannelId},${b.id}:${b.supportChannelId}`,
      TICKETS_HOME: 'discord',
      ...tg.env(),
    });
    await discordReady(dc, 'ticket', { global: true });
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
  });

  const prisma = () => app.tdb.db.prisma;
  const numberIn = (s: string | undefined) => Number(/#(\d+)/.exec(s ?? '')![1]);
  const threadOf = (number: number) =>
    dc.waitFor(() => dc.threads().find((x) => x.name.startsWith(`#${number} `)), {
      what: `thread of #${number}`,
      timeoutMs: 20_000,
    });
  const snapshot = (number: number) => ticketSnapshot(prisma(), number);

  async function openIn(guildId: string, userId: string, name: string) {
    const u = dc.user(userId, { username: name, locale: 'en-US', guildId });
    const modal = await (await u.slash('ticket', { subcommand: 'open', guildId })).modal();
    const reply = await (
      await u.submitModal(modal.custom_id, { category: ['other'], description: `help from ${name}` })
    ).reply();
    const number = numberIn(reply.content);
    const thread = await threadOf(number);
    await userInThread(dc, thread.id, userId);
    // The card and the description are in: the ticket is settled.
    const posted = await dc.waitFor(
      () => (dc.channel(thread.id).messages().length >= 2 ? dc.channel(thread.id).messages() : null),
      { what: 'card and description', timeoutMs: 20_000 },
    );
    return { u, number, thread, posted };
  }

  it("B's ticket: thread in B's channel, card first, B's staff claim and reply; A's staff are refused", async () => {
    const { u, number, thread, posted } = await openIn(b.id, '500000000000000321', 'bea');
    expect(thread).toMatchObject({ type: 'private', parentId: b.supportChannelId, guildId: b.id });
    expect((await prisma().ticket.findUniqueOrThrow({ where: { number } })).guildId).toBe(b.id);
    const [card, first] = posted;
    expect(card!.content + JSON.stringify(card!.embeds ?? [])).toContain(`#${number}`);
    expect(first!.content).toContain('help from bea');

    // A's staff member, looped into the thread by B's staff, holds no staff role in B.
    const staffB = dc.user(STAFF_B);
    const staffA = dc.user(STAFF_A);
    staffB.addToThread(thread.id, STAFF_A);
    const before = await snapshot(number);
    const refused = t('en', 'error.forbidden.staff');
    const tries: [string, Record<string, string>][] = [
      ['claim', {}],
      ['note', { text: 'secret' }],
      ['priority', { level: 'urgent' }],
    ];
    for (const [subcommand, options] of tries) {
      const r = await (await staffA.slash('ticket', { subcommand, channelId: thread.id, options })).reply();
      expect([subcommand, r.content]).toEqual([subcommand, refused]);
    }
    expect(await snapshot(number)).toEqual(before);

    // B's staff member is staff there: claims, and the reply is kept where the user reads it.
    const claimed = await (
      await staffB.slash('ticket', { subcommand: 'claim', channelId: thread.id })
    ).reply();
    expect(claimed.content).toContain(`#${number}`);
    const row = await prisma().ticket.findUniqueOrThrow({ where: { number } });
    expect(row.assigneeName).toBe('bob');
    await staffB.sendMessage(thread.id, 'We are on it');
    await waitFor(
      async () =>
        (await prisma().ticketMessage.findFirst({
          where: { ticket: { number }, kind: 'STAFF', body: 'We are on it' },
        })) ?? null,
      { what: "B staff's reply kept" },
    );
    expect(
      dc
        .channel(thread.id)
        .messages()
        .some((m) => m.content === 'We are on it'),
    ).toBe(true);
    expect(dc.threads().find((x) => x.id === thread.id)?.members).toContain(u.id);
  });

  it("A's ticket goes to A's channel; a Telegram user's ticket to DISCORD_SUPPORT_CHANNEL_ID", async () => {
    const { number, thread } = await openIn(dc.guildId, '500000000000000322', 'abe');
    expect(thread).toMatchObject({ parentId: dc.supportChannelId, guildId: dc.guildId });
    expect((await prisma().ticket.findUniqueOrThrow({ where: { number } })).guildId).toBe(dc.guildId);

    const tu = tg.user(6301, { firstName: 'Tom', languageCode: 'en' });
    await tu.send('/support no guild here');
    await tu.press(await tu.nextMessage(), { text: 'Something else' });
    const tgNumber = numberIn((await tu.nextMessage()).text);
    const other = await threadOf(tgNumber);
    expect(other.parentId).toBe(defaultChannel);
    const row = await prisma().ticket.findUniqueOrThrow({ where: { number: tgNumber } });
    expect(row).toMatchObject({ guildId: null, homePlatform: 'DISCORD' });
  });
});
