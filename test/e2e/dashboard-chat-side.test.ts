// What staff do on the dashboard shows on the chat side, as the same action from chat does:
// a reply reaches the user's DM and its text appears in the ticket's staff topic; a note and
// a claim appear in the topic; a close tells the topic and the user; a dismissed case's card
// changes in the staff group; a published entry answers the next /ask. Plain HTTP (the
// browser test covers the pages), the real grammY bot and workers on the Telegram emulator.
import { t } from '../../core/i18n';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1001618;
const LEAD = 16_201;
const USER = 16_202;
const REPORTER = 16_203;
const NODE = '5a1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e17';
const slow = { timeoutMs: 30_000 };

jest.setTimeout(120_000);

describe('dashboard actions show on the chat side (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let base = '';
  let cookie = '';
  let csrf = '';

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, { title: 'Support staff', isForum: true, members: { [LEAD]: 'administrator' } });
    app = await startTestApp({ ...tg.env(), TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT) });
    base = `http://127.0.0.1:${app.runtime.port}`;
    const lead = tg.user(LEAD, { firstName: 'Lee', username: 'lead_lee', languageCode: 'en' });
    await lead.send('/dashboard');
    const link = /(http\S+\/signin\/\S+)/.exec((await lead.nextMessage()).text ?? '')![1]!;
    const signed = await fetch(base + new URL(link).pathname, { redirect: 'manual' });
    cookie = signed.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${base}/staff`, { headers: { cookie } })).text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  });
  afterAll(async () => {
    await app?.destroy();
    await tg?.stop();
  });

  const post = async (path: string, form: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    });
    expect(res.status).toBe(303);
    // The outcome notice is shown on the next page (post-redirect-get).
    return (await fetch(base + res.headers.get('location')!, { headers: { cookie } })).text();
  };

  const group = () => tg.group(STAFF_CHAT);
  /** The bot's posts in the ticket's staff topic (its thread id is on the ticket). */
  const topicPosts = async (number: number) => {
    const tk = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number } });
    const home = tk.homeRef as { threadId?: string } | null;
    if (!home?.threadId) return [];
    return group()
      .messages({ threadId: Number(home.threadId) })
      .filter((m) => m.from?.is_bot)
      .map((m) => m.text ?? '');
  };
  const inTopic = (number: number, ...parts: string[]) =>
    waitFor(async () => (await topicPosts(number)).find((s) => parts.every((p) => s.includes(p))) ?? null, {
      ...slow,
      what: `"${parts.join(' … ')}" in the staff topic of #${number}`,
    });

  let number = 0;
  it('a ticket from the emulator; a reply from the page reaches the DM and shows in the staff topic', async () => {
    const u = tg.user(USER, { firstName: 'Ann', languageCode: 'en' });
    await u.send('/support my rig will not start');
    await u.press(await u.nextMessage(), { text: 'Something else' });
    number = Number(/#(\d+)/.exec((await u.nextMessage()).text ?? '')![1]);
    await inTopic(number, 'my rig will not start');

    const body = 'Run nvidia-smi <b>now</b> @everyone';
    const page = await post(`/staff/tickets/${number}/reply`, { text: body });
    expect(page).toContain(t('en', 'dashboard.ticket.replied'));
    const dm = await waitFor(() => u.messages().find((m) => (m.text ?? '').includes(body)), {
      ...slow,
      what: 'the reply in the DM',
    });
    expect(dm.text).toContain('Support ·');
    // Staff in chat see what was answered, by whom, the text as written (no HTML, no ping).
    const copy = await inTopic(number, body);
    expect(copy).toContain(t('en', 'tickets.staff.dashboardReply', { name: '@lead_lee' }));
    // Once: the flush and the copy are separate jobs, each keyed by the message.
    expect((await topicPosts(number)).filter((s) => s.includes(body))).toHaveLength(1);
  });

  it('a note and a claim from the page show in the topic; the user gets neither', async () => {
    await post(`/staff/tickets/${number}/note`, { text: 'checked the logs, driver 550' });
    await inTopic(number, t('en', 'tickets.staff.dashboardNote', { name: '@lead_lee' }), 'driver 550');
    await post(`/staff/tickets/${number}/claim`);
    await inTopic(number, t('en', 'tickets.staff.dashboardClaim', { name: '@lead_lee', number }));
    expect(
      tg
        .user(USER)
        .messages()
        .some((m) => (m.text ?? '').includes('driver 550')),
    ).toBe(false);
    // The queue filters by a named assignee (who is on what), offered in the filter's list.
    const lead = await app.tdb.db.prisma.identity.findFirstOrThrow({
      where: { platformUserId: String(LEAD) },
    });
    const queue = (q: string) => fetch(`${base}/staff?${q}`, { headers: { cookie } }).then((r) => r.text());
    const mine = await queue(`assignee=${lead.id}`);
    expect(mine).toContain(`data-ticket="${number}"`);
    expect(mine).toMatch(new RegExp(`<option value="${lead.id}"\\s+selected\\s*>@lead_lee</option>`));
    expect(await queue('assignee=none')).not.toContain(`data-ticket="${number}"`);
    const audit = await app.tdb.db.prisma.auditEvent.findMany({
      where: { action: { in: ['staff.tickets.note', 'staff.tickets.claim'] } },
    });
    expect(audit.map((a) => [a.action, (a.details as { via?: string }).via]).sort()).toEqual([
      ['staff.tickets.claim', 'dashboard'],
      ['staff.tickets.note', 'dashboard'],
    ]);
  });

  it('a close from the page tells the topic and the user, as /close does', async () => {
    await post(`/staff/tickets/${number}/close`, { reason: 'driver fixed' });
    await inTopic(
      number,
      t('en', 'tickets.staff.closedReason', { name: '@lead_lee', reason: 'driver fixed' }),
    );
    await waitFor(
      () =>
        tg
          .user(USER)
          .messages()
          .find((m) => m.text?.includes(t('en', 'tickets.closedReason', { number, reason: 'driver fixed' }))),
      { ...slow, what: 'the close in the DM' },
    );
  });

  it('a case dismissed on the page changes its card in the staff group and tells the reporter', async () => {
    const r = tg.user(REPORTER, { languageCode: 'en' });
    await r.send(`/report ${NODE} looks like a rented VM`);
    const ref = /#(C\d+)/.exec((await r.nextMessage()).text ?? '')![1]!;
    const cards = () => {
      const topic = group()
        .topics()
        .find((x) => x.name === 'Reports');
      return group()
        .messages({ threadId: topic?.message_thread_id ?? -1 })
        .filter((m) => m.from?.is_bot && (m.text ?? '').includes(`Case #${ref} `));
    };
    await waitFor(() => cards()[0], { ...slow, what: 'the case card' });
    await post(`/staff/cases/${ref.slice(1)}/dismiss`);
    await waitFor(() => cards().find((m) => (m.text ?? '').includes('Dismissed by @lead_lee')), {
      ...slow,
      what: 'the card to show the dismissal',
    });
    await waitFor(
      () =>
        r
          .messages()
          .find((m) => m.text === t('en', 'moderation.outcome.dismissed', { case: ref, nodes: NODE })),
      { ...slow, what: 'the outcome in the reporter DM' },
    );
  });

  it('an entry published on the page answers the next /ask in chat', async () => {
    const entry = [
      '---',
      'id: dashboard-chat',
      'lang: en',
      'title: How staff open the dashboard',
      'updated: 2026-12-02',
      'source: staff',
      'tags: [dashboard]',
      '---',
      '',
      'Staff send /dashboard to the bot and open the one-time link it answers with.',
    ].join('\n');
    const page = await post('/staff/kb/publish', { text: entry });
    expect(page).toContain(t('en', 'dashboard.kb.published', { id: 'dashboard-chat', lang: 'en' }));
    const asker = tg.user(16_204, { languageCode: 'en' });
    await asker.send('/ask how do staff open the dashboard');
    const a = await asker.nextMessage();
    expect(a.text).toContain('open the one-time link it answers with');
    expect(a.text).toContain('How staff open the dashboard');
  });
});
