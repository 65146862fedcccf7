// Edits and attachments relayed through tickets, end to end through the real bots and
// workers and both emulators: an edit on one side edits the relayed copy on the other side
// (the same message, never a second one), and files are stored and sent on with their bytes.
// Telegram: edited_message in the user's DM and in the staff topic, documents and photos.
// Discord: MESSAGE_UPDATE and attachments in the ticket thread, for a Telegram user's ticket
// worked from Discord (TICKETS_HOME=discord).
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { discordEnv } from '../support/discord';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

// The smallest PNG: 1×1, one transparent pixel.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082',
  'hex',
);

async function openTelegramTicket(tg: TelegramSandbox, userId: number, text: string) {
  const u = tg.user(userId, { firstName: 'Ann', languageCode: 'en' });
  await u.send(`/support ${text}`);
  const ask = await u.nextMessage();
  await u.press(ask, { text: 'Something else' });
  const opened = await u.nextMessage();
  const number = Number(/#(\d+)/.exec(opened.text ?? '')![1]);
  return { u, number };
}

describe('ticket edits and files on Telegram (e2e)', () => {
  const STAFF_CHAT = -1009876543299;
  const STAFF = 7101;
  let tg: TelegramSandbox;
  let app: TestApp;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, { title: 'Support staff', isForum: true });
    app = await startTestApp({ ...tg.env(), TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT) });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('edits edit the relayed copy in place; documents and photos reach the other side', async () => {
    const staffGroup = tg.group(STAFF_CHAT);
    await staffGroup.send(STAFF, 'hello team');
    const { u, number } = await openTelegramTicket(tg, 6101, 'rig down');
    const topic = await waitFor(() => staffGroup.topics().find((t) => t.name.startsWith(`#${number} `)), {
      what: 'topic',
    });
    const threadId = topic.message_thread_id;
    await staffGroup.nextMessage({ threadId }); // the card
    await staffGroup.nextMessage({ threadId }); // "rig down"

    // The user edits a relayed message: the topic's copy changes, nothing new is posted.
    const mine = await u.send('my GPU is a 3080');
    const copy = await staffGroup.nextMessage({ threadId });
    expect(copy.text).toContain('my GPU is a 3080');
    const before = staffGroup.messages({ threadId }).length;
    await u.edit(mine, 'my GPU is a 4090');
    await waitFor(
      () =>
        staffGroup
          .messages({ threadId })
          .find((m) => m.message_id === copy.message_id && /4090/.test(m.text ?? '') && m.edit_date),
      { what: "the topic's copy edited" },
    );
    expect(staffGroup.messages({ threadId })).toHaveLength(before);
    expect(staffGroup.messages({ threadId }).find((m) => m.message_id === copy.message_id)?.text).toContain(
      '(edited)',
    );

    // Staff edit their reply in the topic: the DM copy changes.
    const reply = await staffGroup.send(STAFF, 'try driver 550', { threadId });
    const dmCopy = await u.nextMessage();
    expect(dmCopy.text).toContain('try driver 550');
    const dmBefore = u.messages().length;
    await staffGroup.edit(STAFF, reply, 'try driver 555');
    await waitFor(
      () => u.messages().find((m) => m.message_id === dmCopy.message_id && /driver 555/.test(m.text ?? '')),
      { what: "the DM's copy edited" },
    );
    expect(u.messages()).toHaveLength(dmBefore);

    // A document from the user: the topic gets the same bytes, and the record keeps them.
    const log = Buffer.from('nvidia-smi: GPU 0 fell off the bus\n');
    await u.sendDocument(log, { fileName: 'smi.txt', mimeType: 'text/plain', caption: 'the log' });
    const doc = await waitFor(
      () => staffGroup.messages({ threadId }).find((m) => m.document?.file_name === 'smi.txt'),
      { what: 'the document in the topic' },
    );
    expect(tg.file(doc.document!.file_id)?.bytes.equals(log)).toBe(true);
    expect(staffGroup.messages({ threadId }).some((m) => (m.text ?? '').includes('the log'))).toBe(true);
    const stored = await app.tdb.db.prisma.ticketAttachment.findFirst({ where: { name: 'smi.txt' } });
    expect(Buffer.from(stored!.data!).equals(log)).toBe(true);

    // A photo from staff in the topic: the user gets it.
    await staffGroup.sendPhoto(STAFF, PNG, { threadId, caption: 'like this' });
    const photo = await waitFor(() => u.messages().find((m) => m.photo), { what: 'the photo in the DM' });
    expect(tg.file(photo.photo!.at(-1)!.file_id)?.bytes.equals(PNG)).toBe(true);
    expect(u.messages().some((m) => (m.text ?? '').includes('like this'))).toBe(true);
  });
});

describe('ticket edits and files between Telegram and a Discord thread (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;
  const STAFF = '500000000000000201';

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    app = await startTestApp({
      ...discordEnv(dc),
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_SUPPORT_CHANNEL_ID: dc.supportChannelId,
      TICKETS_HOME: 'discord',
      ...tg.env(),
    });
    await dc.ready({ timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
  });

  it('MESSAGE_UPDATE edits the DM copy; attachments cross both ways; a Telegram edit edits the thread copy', async () => {
    const staff = dc.user(STAFF, { username: 'sam', roles: [dc.staffRoleId] });
    const { u, number } = await openTelegramTicket(tg, 6201, 'wallet will not link');
    const thread = await dc.waitFor(() => dc.threads().find((t) => t.name.startsWith(`#${number} `)), {
      what: 'thread',
      timeoutMs: 20_000,
    });
    const ch = dc.channel(thread.id);
    await ch.nextMessage({ timeoutMs: 20_000 }); // the card
    await ch.nextMessage({ timeoutMs: 20_000 }); // "wallet will not link"

    // Staff edit their reply in the thread: the user's DM copy changes in place.
    const reply = await staff.sendMessage(thread.id, 'sign the message again');
    const dmCopy = await u.nextMessage();
    expect(dmCopy.text).toContain('sign the message again');
    const dmBefore = u.messages().length;
    await staff.editMessage(reply.id, 'sign the message again, with the new wallet');
    await waitFor(
      () => u.messages().find((m) => m.message_id === dmCopy.message_id && /new wallet/.test(m.text ?? '')),
      { what: "the DM's copy edited" },
    );
    expect(u.messages()).toHaveLength(dmBefore);

    // An attachment from staff in the thread reaches the user's DM with its bytes.
    const guide = Buffer.from('1. open the wallet\n2. sign\n');
    await staff.sendMessage(thread.id, 'steps attached', {
      files: [{ name: 'steps.txt', contentType: 'text/plain', data: guide }],
    });
    const doc = await waitFor(() => u.messages().find((m) => m.document?.file_name === 'steps.txt'), {
      what: 'the document in the DM',
    });
    expect(tg.file(doc.document!.file_id)?.bytes.equals(guide)).toBe(true);

    // The user's edit in Telegram edits the thread's copy (PATCH), and their photo is uploaded.
    const mine = await u.send('address is 0xabc');
    const copy = await ch.nextMessage({ timeoutMs: 20_000 });
    expect(copy.content).toContain('0xabc');
    await u.edit(mine, 'address is 0xdef');
    await dc.waitFor(() => /0xdef/.test(dc.message(copy.id)?.content ?? '') || null, {
      what: "the thread's copy edited",
      timeoutMs: 20_000,
    });
    const countBefore = ch.messages().length;
    expect(dc.message(copy.id)?.edited_timestamp).toBeTruthy();
    await u.sendPhoto(PNG, { caption: 'screenshot' });
    const img = await dc.waitFor(
      () => ch.messages().find((m) => m.files.some((f) => f.contentType.startsWith('image/'))),
      { what: 'the photo in the thread', timeoutMs: 20_000 },
    );
    expect(img.files[0]!.data.equals(PNG)).toBe(true);
    expect(ch.messages().length).toBeGreaterThan(countBefore);
  });
});
