// Per-guild support channels (DISCORD_SUPPORT_CHANNELS): a ticket opened in a guild with a
// channel of its own gets its thread there; a ticket with no guild (a Telegram user's,
// worked on Discord) uses DISCORD_SUPPORT_CHANNEL_ID. The emulator holds one guild, so the
// test maps that guild to a second channel and checks the default is left for the rest.
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { discordEnv, discordReady } from '../support/discord';
import { startTestApp, type TestApp } from '../support/app';

describe('per-guild support channels (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;
  let guildChannel: string;

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    guildChannel = dc.createChannel({ name: 'support-guild-b', topic: 'Tickets of this guild' }).id;
    app = await startTestApp({
      ...discordEnv(dc),
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_SUPPORT_CHANNEL_ID: dc.supportChannelId,
      DISCORD_SUPPORT_CHANNELS: `${dc.guildId}:${guildChannel}`,
      TICKETS_HOME: 'discord',
      ...tg.env(),
    });
    await discordReady(dc, 'ticket');
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
  });

  const threadOf = (number: number) =>
    dc.waitFor(() => dc.threads().find((t) => t.name.startsWith(`#${number} `)), {
      what: `thread of #${number}`,
      timeoutMs: 20_000,
    });

  it("a guild's ticket goes to its own channel; a ticket with no guild to the default", async () => {
    const u = dc.user('500000000000000301', { username: 'bea', locale: 'en-US' });
    const open = await u.slash('ticket', { subcommand: 'open', channelId: dc.generalChannelId });
    const modal = await open.modal();
    const submitted = await u.submitModal(modal.custom_id, {
      category: ['other'],
      description: 'hello from guild B',
    });
    const number = Number(/#(\d+)/.exec((await submitted.reply()).content ?? '')![1]);
    const thread = await threadOf(number);
    expect(thread.parentId).toBe(guildChannel);
    const ticket = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number } });
    expect(ticket.guildId).toBe(dc.guildId);
    // Staff work it there: the card is first, a reply reaches the ticket.
    const card = await dc.channel(thread.id).nextMessage({ timeoutMs: 20_000 });
    expect(card.content + JSON.stringify(card.embeds ?? [])).toContain(`#${number}`);

    const t = tg.user(6301, { firstName: 'Tom', languageCode: 'en' });
    await t.send('/support no guild here');
    const ask = await t.nextMessage();
    await t.press(ask, { text: 'Something else' });
    const opened = await t.nextMessage();
    const other = await threadOf(Number(/#(\d+)/.exec(opened.text ?? '')![1]));
    expect(other.parentId).toBe(dc.supportChannelId);
  });
});
