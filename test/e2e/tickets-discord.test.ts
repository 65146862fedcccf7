// Tickets on Discord end to end: the real discord.js and grammY bots and workers against
// both emulators, real PostgreSQL and Redis, TICKETS_HOME=discord. /ticket open (a modal)
// and the staff panel open a private thread in the support channel with the user added and
// the context card first; relay both ways; /ticket close. Then a Telegram user's ticket
// worked from a Discord thread.
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { discordEnv, discordReady } from '../support/discord';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

describe('tickets on Discord, and cross-platform (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;
  const STAFF = '500000000000000001';

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    app = await startTestApp({
      ...discordEnv(dc),
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_MOD_CHANNEL_ID: dc.modChannelId,
      DISCORD_SUPPORT_CHANNEL_ID: dc.supportChannelId,
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
  const memberOf = (threadId: string, userId: string) =>
    dc.waitFor(
      () =>
        dc
          .threads()
          .find((t) => t.id === threadId)
          ?.members.includes(userId),
      {
        what: 'the user added to the thread',
      },
    );
  const numberIn = (s: string | undefined) => Number(/#(\d+)/.exec(s ?? '')![1]);

  it('/ticket open: modal → private thread with the user, card first, relay both ways, /ticket close', async () => {
    const staff = dc.user(STAFF, { username: 'sam', roles: [dc.staffRoleId] });
    const u = dc.user('500000000000000101', { username: 'ann', locale: 'en-US' });
    const open = await u.slash('ticket', { subcommand: 'open', channelId: dc.generalChannelId });
    const modal = await open.modal();
    const submitted = await u.submitModal(modal.custom_id, {
      category: ['node-offline'],
      description: 'my node is offline @everyone <b>help</b>',
      node_id: 'node-abc-123',
    });
    const answer = await submitted.reply();
    expect(answer.content).toMatch(/Ticket #\d+ .* is open/);
    const number = numberIn(answer.content);

    const thread = await threadOf(number);
    expect(thread.type).toBe('private');
    expect(thread.parentId).toBe(dc.supportChannelId);
    await memberOf(thread.id, u.id);
    const ch = dc.channel(thread.id);
    const card = await ch.nextMessage({ timeoutMs: 20_000 });
    expect(card.content + JSON.stringify(card.embeds ?? [])).toContain(`#${number}`);
    const first = await ch.nextMessage({ timeoutMs: 20_000 });
    // The adapter may break @everyone with a zero-width space; the text itself stays literal.
    expect(first.content.replace(/\u200b/g, '')).toContain('my node is offline @everyone <b>help</b>');
    expect(first.pinged.everyone).toBe(false);

    // A Discord ticket worked in its own thread: the user is in it, so staff and user talk
    // there; both sides are kept. What the user writes in their DM reaches the thread.
    await staff.sendMessage(thread.id, 'Restart the agent please');
    await u.sendMessage(thread.id, 'restarted, checking');
    const stored = () =>
      app.tdb.db.prisma.ticketMessage.findMany({ where: { ticket: { number } }, orderBy: { id: 'asc' } });
    await waitFor(
      async () =>
        (await stored()).filter((m) => /Restart the agent|restarted, checking/.test(m.body)).length === 2
          ? true
          : null,
      {
        what: 'thread messages kept',
      },
    );
    expect((await stored()).map((m) => [m.kind, m.body])).toEqual(
      expect.arrayContaining([
        ['STAFF', 'Restart the agent please'],
        ['USER', 'restarted, checking'],
      ]),
    );
    expect(u.dms().some((m) => m.content.includes('Restart the agent please'))).toBe(false);

    await u.sendDm('done, it is **back**');
    const back = await ch.nextMessage({ timeoutMs: 20_000 });
    expect(back.content).toContain('done, it is');
    expect(back.content).toContain('back');

    const close = await staff.slash('ticket', {
      subcommand: 'close',
      channelId: thread.id,
      options: { reason: 'agent restarted' },
    });
    expect((await close.reply()).content).toContain(`#${number}`);
    const closedDm = await dc.waitFor(
      () => u.dms().find((m) => /closed/i.test(m.content) && (m.components?.length ?? 0) > 0),
      { what: 'closed DM with rating buttons', timeoutMs: 20_000 },
    );
    expect(closedDm.content).toContain('agent restarted');
    await dc.waitFor(
      () => u.dms().some((m) => (m.attachments ?? []).some((a) => /\.html$/.test(a.filename))),
      {
        what: 'transcript to the user',
        timeoutMs: 20_000,
      },
    );
    const row = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number } });
    expect(row.state).toBe('CLOSED');
    expect(row.closeReason).toBe('agent restarted');
  });

  it('/ticket panel: staff post it, a member presses a category, the modal opens a private thread', async () => {
    const staff = dc.user(STAFF);
    const posted = await staff.slash('ticket', { subcommand: 'panel', channelId: dc.supportChannelId });
    await posted.reply();
    const panel = await dc.waitFor(
      () =>
        dc
          .channel(dc.supportChannelId)
          .messages()
          .find((m) => m.components?.length),
      { what: 'panel' },
    );
    const u = dc.user('500000000000000102', { username: 'bo' });
    const pressed = await u.press(panel, 'tickets:panel:points');
    const modal = await pressed.modal();
    const submitted = await u.submitModal(modal.custom_id, {
      category: ['points'],
      description: 'my points are missing',
    });
    const number = numberIn((await submitted.reply()).content);
    const thread = await threadOf(number);
    expect(thread.type).toBe('private');
    await memberOf(thread.id, u.id);
    const row = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number } });
    expect(row.category).toBe('points');

    // Editable after posting (discord-tickets #362): the same command edits the panel in place.
    const again = await staff.slash('ticket', { subcommand: 'panel', channelId: dc.supportChannelId });
    await again.reply();
    const panels = dc
      .channel(dc.supportChannelId)
      .messages()
      .filter((m) => m.components?.length);
    expect(panels).toHaveLength(1);
  });

  it('cross-platform: a Telegram user’s ticket is answered from a Discord thread', async () => {
    const staff = dc.user(STAFF);
    const tu = tg.user(8801, { firstName: 'Lin', languageCode: 'en' });
    await tu.send('/support my wallet does not link');
    const ask = await tu.nextMessage();
    await tu.press(ask, { text: 'Something else' });
    const opened = await tu.nextMessage();
    const number = numberIn(opened.text);
    const thread = await threadOf(number);
    const ch = dc.channel(thread.id);
    await ch.nextMessage({ timeoutMs: 20_000 }); // the card
    const first = await ch.nextMessage({ timeoutMs: 20_000 });
    expect(first.content).toContain('my wallet does not link');

    await staff.sendMessage(thread.id, 'Which chain is it on?');
    const relayed = await tu.nextMessage({ timeoutMs: 20_000 });
    expect(relayed.text).toContain('Which chain is it on?');
    await tu.send('Solana');
    const back = await ch.nextMessage({ timeoutMs: 20_000 });
    expect(back.content).toContain('Solana');

    await (
      await staff.slash('ticket', {
        subcommand: 'close',
        channelId: thread.id,
        options: { reason: 'solved' },
      })
    ).reply();
    const doc = await waitFor(() => tu.messages().find((m) => m.document), {
      what: 'transcript on Telegram',
      timeoutMs: 20_000,
    });
    expect(doc.document?.file_name).toBe(`ticket-${number}.html`);
  });
});
