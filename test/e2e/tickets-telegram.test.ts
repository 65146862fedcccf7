// Tickets on Telegram end to end: the real grammY bot and workers against the emulator,
// real PostgreSQL and Redis. /support with buttons, a topic with the context card, relay
// both ways, an internal note, /close with the transcript and the rating prompt.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1009876543210;
const STAFF = 7001;

describe('tickets on Telegram (e2e)', () => {
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

  it('open, relay, note, close with transcript and rating', async () => {
    const staffGroup = tg.group(STAFF_CHAT);
    await staffGroup.send(STAFF, 'hello team'); // staff are members of the staff chat
    const u = tg.user(6001, { firstName: 'Ann', languageCode: 'en' });
    await u.send('/support my rig will not start @everyone');
    const ask = await u.nextMessage();
    expect(ask.text).toContain('What is your ticket about?');
    await u.press(ask, { text: 'Something else' });
    const opened = await u.nextMessage();
    expect(opened.text).toMatch(/Ticket #\d+ \(Something else\) is open/);
    const number = Number(/#(\d+)/.exec(opened.text ?? '')![1]);

    const topic = await waitFor(() => staffGroup.topics().find((t) => t.name.startsWith(`#${number} `)), {
      what: 'topic',
    });
    const card = await staffGroup.nextMessage({ threadId: topic.message_thread_id });
    expect(card.text).toContain(`Ticket #${number}`);
    const first = await staffGroup.nextMessage({ threadId: topic.message_thread_id });
    expect(first.text).toContain('my rig will not start @everyone');

    await staffGroup.send(STAFF, 'Please send nvidia-smi output', { threadId: topic.message_thread_id });
    const relayed = await u.nextMessage();
    expect(relayed.text).toContain('Support ·');
    expect(relayed.text).toContain('Please send nvidia-smi output');

    await u.send('here it is: **GPU 0** <b>ok</b>');
    const back = await staffGroup.nextMessage({ threadId: topic.message_thread_id });
    expect(back.text).toContain('here it is: **GPU 0** <b>ok</b>');

    await staffGroup.send(STAFF, '/note looks like a driver issue', { threadId: topic.message_thread_id });
    await staffGroup.nextMessage({ threadId: topic.message_thread_id }); // "note saved"
    await staffGroup.send(STAFF, '/close fixed by driver update', { threadId: topic.message_thread_id });
    const closed = await waitFor(
      () => u.messages().find((m) => /is closed: fixed by driver update/.test(m.text ?? '')),
      {
        what: 'closed message',
        timeoutMs: 20_000,
      },
    );
    expect(closed.reply_markup?.inline_keyboard?.[0]).toHaveLength(5);
    const doc = await waitFor(() => u.messages().find((m) => m.document), {
      what: 'transcript',
      timeoutMs: 20_000,
    });
    expect(doc.document?.file_name).toBe(`ticket-${number}.html`);
    expect(u.messages().some((m) => (m.text ?? '').includes('driver issue'))).toBe(false);

    await u.press(closed, `tickets:rate:${number}.4`);
    const rating = await waitFor(
      async () => (await app.tdb.db.prisma.ticketRating.findFirst({ where: { ticket: { number } } })) ?? null,
      { what: 'rating' },
    );
    expect(rating.score).toBe(4);
  });
});
