// 200 users open tickets at once through the real grammY bot while the emulator fails a
// share of createForumTopic and sendMessage calls with 5xx and 429: the result is exactly
// 200 tickets and 200 topics, one per ticket, none twice.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1009876500003;
const USERS = 200;

// Opt-in (TICKETS_LOAD_E2E=1) until it has passed on a quiet machine: on the shared
// 2-core box at load 15-20 it did not finish within 9 minutes (see status-h12.md).
const maybe = process.env.TICKETS_LOAD_E2E === '1' ? describe : describe.skip;

maybe('200 tickets at once under injected errors (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false, seed: 12, defaultTimeoutMs: 180_000 });
    tg.group(STAFF_CHAT, { title: 'Support staff', isForum: true });
    app = await startTestApp({ ...tg.env(), TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT) });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('exactly 200 tickets and 200 topics, no duplicates', async () => {
    const users = Array.from({ length: USERS }, (_, i) =>
      tg.user(20_000 + i, { firstName: `U${i}`, languageCode: 'en' }),
    );
    await Promise.all(users.map((u, i) => u.send(`/support rush ${i}`)));
    const asks = await Promise.all(users.map((u) => u.nextMessage()));
    tg.failRate('createForumTopic', { status5xx: 0.2, status429: 0.1, retryAfter: 1 });
    tg.failRate('sendMessage', { status5xx: 0.1, status429: 0.05, retryAfter: 1 });
    // A press's answer can be the call that failed: the tickets are what is checked, below.
    await Promise.all(
      users.map((u, i) =>
        u.press(asks[i]!, { text: 'Something else' }, { timeoutMs: 180_000 }).catch(() => null),
      ),
    );

    const prisma = app.tdb.db.prisma;
    await waitFor(
      async () =>
        (await prisma.ticket.count({ where: { homeKey: { not: null } } })) === USERS ? true : null,
      {
        what: '200 tickets with a topic',
        timeoutMs: 240_000,
      },
    );
    const failed = tg.calls('createForumTopic').filter((c) => c.status !== 200).length;
    expect(failed).toBeGreaterThan(0); // the faults really happened
    tg.clearFailures();

    expect(await prisma.ticket.count()).toBe(USERS);
    const tickets = await prisma.ticket.findMany({ select: { number: true, userId: true, homeKey: true } });
    expect(new Set(tickets.map((t) => t.userId)).size).toBe(USERS);
    expect(new Set(tickets.map((t) => t.homeKey)).size).toBe(USERS);
    // The log topic aside, one topic per ticket, each named after its ticket once.
    const topics = tg
      .group(STAFF_CHAT)
      .topics()
      .filter((t) => t.name.startsWith('#'));
    expect(topics).toHaveLength(USERS);
    expect(new Set(topics.map((t) => t.name.split(' ')[0])).size).toBe(USERS);
    expect(new Set(topics.map((t) => t.name.split(' ')[0]))).toEqual(
      new Set(tickets.map((t) => `#${t.number}`)),
    );
  }, 480_000);
});
