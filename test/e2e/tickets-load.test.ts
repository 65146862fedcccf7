// 200 users open tickets at once through the real grammY bot while the emulator fails a
// share of createForumTopic and sendMessage calls with 5xx and 429: the result is exactly
// 200 tickets and 200 topics, one per ticket, none twice, each with its card and the
// user's first message once.
//
// Telegram lets a bot send 20 messages a minute into one group, and creating a topic is
// one of them (tdlib/td#2592): 200 topics with their cards and first messages are ~600
// sends, half an hour at the real pace. Time is shrunk 50× on both sides (the emulator's
// limits and the app's own pacing, cli/pacers.ts), so the limits are still hit and
// honoured, in seconds instead of minutes.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1009876500003;
const USERS = 200;
const TIME_SCALE = 0.01;

describe('200 tickets at once under injected errors (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;

  beforeAll(async () => {
    tg = await startTelegramSandbox({
      limits: { timeScale: TIME_SCALE, retryAfterSeconds: TIME_SCALE },
      seed: 12,
      defaultTimeoutMs: 120_000,
    });
    tg.group(STAFF_CHAT, { title: 'Support staff', isForum: true });
    app = await startTestApp(
      { ...tg.env(), TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT) },
      { pacingTimeScale: TIME_SCALE },
    );
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('exactly 200 tickets and 200 topics, no duplicates', async () => {
    const users = Array.from({ length: USERS }, (_, i) =>
      tg.user(20_000 + i, { firstName: `U${i}`, languageCode: 'en' }),
    );
    await Promise.all(users.map((u, i) => u.send(`/support rush-${i}-x`)));
    const asks = await Promise.all(users.map((u) => u.nextMessage()));
    // Every /support was answered with the category question, none with an error: a burst
    // queues for database connections instead of failing (core/db.ts).
    expect(asks.filter((m) => !JSON.stringify(m.reply_markup ?? '').includes('Something else'))).toEqual([]);
    // retry_after as Telegram gives it (1 s), on the test's clock.
    const retryAfter = TIME_SCALE * 2;
    tg.failRate('createForumTopic', { status5xx: 0.2, status429: 0.1, retryAfter });
    tg.failRate('sendMessage', { status5xx: 0.1, status429: 0.05, retryAfter });
    // A press's answer can be the call that failed: the tickets are what is checked, below.
    await Promise.all(users.map((u, i) => u.press(asks[i]!, { text: 'Something else' }).catch(() => null)));

    const prisma = app.tdb.db.prisma;
    await waitFor(
      async () =>
        (await prisma.ticket.count({ where: { homeKey: { not: null } } })) === USERS ? true : null,
      { what: '200 tickets with a topic', timeoutMs: 180_000 },
    );
    // Every ticket's first message relayed into its topic (after the card).
    await waitFor(
      async () =>
        (await prisma.ticketMessage.count({ where: { kind: 'USER', relayedAt: { not: null } } })) >= USERS
          ? true
          : null,
      { what: "200 users' first messages in their topics", timeoutMs: 180_000 },
    );
    const failed = tg.calls('createForumTopic').filter((c) => c.status !== 200).length;
    expect(failed).toBeGreaterThan(0); // the faults really happened
    tg.clearFailures();

    expect(await prisma.ticket.count()).toBe(USERS);
    const tickets = await prisma.ticket.findMany({ select: { number: true, userId: true, homeKey: true } });
    expect(new Set(tickets.map((t) => t.userId)).size).toBe(USERS);
    expect(new Set(tickets.map((t) => t.homeKey)).size).toBe(USERS);
    // The log topic aside, one topic per ticket, each named after its ticket once.
    const group = tg.group(STAFF_CHAT);
    const topics = group.topics().filter((t) => t.name.startsWith('#'));
    expect(topics).toHaveLength(USERS);
    expect(new Set(topics.map((t) => t.name.split(' ')[0])).size).toBe(USERS);
    expect(new Set(topics.map((t) => t.name.split(' ')[0]))).toEqual(
      new Set(tickets.map((t) => `#${t.number}`)),
    );
    // In each topic: one card, then the user's first message, once.
    const byText = (m: { text?: string }, re: RegExp) => re.test(m.text ?? '');
    for (const topic of topics) {
      const texts = group
        .messages({ threadId: topic.message_thread_id })
        .filter((m) => !m.forum_topic_created);
      const openers = texts.filter((m) => byText(m, /rush-\d+-x/));
      expect(openers).toHaveLength(1);
      expect(texts.indexOf(openers[0]!)).toBeGreaterThan(0); // the card came first
    }
  }, 420_000);
});
