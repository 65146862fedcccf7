// Ticket timers through the real bots, with shortened SLA and inactivity times: the
// first-response warning reaches the staff topic and the inactivity warning and auto-close
// reach the user, each after the whole app (bots and workers) was stopped and started
// again while the timer was pending. Waits are on messages, never on sleeps.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1009876500002;
const STAFF = 7101;

describe('ticket timers survive restarts (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, { title: 'Support staff', isForum: true });
    app = await startTestApp({
      ...tg.env(),
      TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
      // Warned at half of an 8 s first-response target; idle: warned after 3 s, closed 3 s later.
      TICKETS_SLA: 'normal=8s/10m',
      TICKETS_SLA_WARN_PERCENT: '50',
      TICKETS_IDLE_WARN_AFTER: '3s',
      TICKETS_IDLE_CLOSE_AFTER: '3s',
    });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('SLA warning, inactivity warning and auto-close fire across restarts of the workers', async () => {
    const staffGroup = tg.group(STAFF_CHAT);
    await staffGroup.send(STAFF, 'on shift');
    const u = tg.user(6101, { firstName: 'Eve', languageCode: 'en' });
    await u.send('/support node stuck at 0%');
    await u.press(await u.nextMessage(), { text: 'Something else' });
    const number = Number(/#(\d+)/.exec((await u.nextMessage()).text ?? '')![1]);
    const topic = await waitFor(() => staffGroup.topics().find((t) => t.name.startsWith(`#${number} `)), {
      what: 'topic',
    });

    // Restart while the SLA warning (due 4 s after opening) is pending.
    await app.stop();
    await app.start();
    const warn = await waitFor(
      () =>
        staffGroup
          .messages({ threadId: topic.message_thread_id })
          .find((m) => /First response due in/.test(m.text ?? '')),
      { what: 'SLA warning in the topic', timeoutMs: 30_000 },
    );
    expect(warn.text).toContain('priority normal');
    const row = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number } });
    expect(row.slaFirstWarnedAt).not.toBeNull();

    // A staff reply starts the inactivity timer; restart while it is pending.
    await staffGroup.send(STAFF, 'Try a reboot', { threadId: topic.message_thread_id });
    await waitFor(() => u.messages().find((m) => (m.text ?? '').includes('Try a reboot')), {
      what: 'staff reply in the DM',
    });
    await app.stop();
    await app.start();
    const idle = await waitFor(() => u.messages().find((m) => /will close in/.test(m.text ?? '')), {
      what: 'inactivity warning',
      timeoutMs: 30_000,
    });
    expect(idle.text).toContain(`#${number}`);
    await app.stop();
    await app.start();
    await waitFor(() => u.messages().find((m) => m.document), {
      what: 'auto-close transcript',
      timeoutMs: 30_000,
    });
    const closed = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number } });
    expect(closed.state).toBe('CLOSED');
    expect(closed.closeReason).toBe('inactivity');
    const audit = await app.tdb.db.prisma.auditEvent.findMany({
      where: { subjectId: closed.id, action: 'ticket.auto_close' },
    });
    expect(audit).toHaveLength(1);
  });
});
