// The staff dashboard in a real browser (Debian's Chromium through playwright-core) against
// the whole product and the Telegram emulator: sign in with a link from /dashboard, see a
// ticket opened in the emulator appear in the queue, reply from the page and see the reply
// in the user's DM and in the ticket's staff topic, confirm a case and see its card change in
// the staff group, and the pages in Chinese.
// Screenshots go to test-artifacts/ (git-ignored, kept by CI).
import type { BrowserContext, Page } from 'playwright-core';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { t } from '../../core/i18n';
import { artifact, launchChromium } from '../support/browser';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';
import { rollupFleet } from '../../dashboard/fleet-rollup';

const STAFF_CHAT = -1001617;
const LEAD = 16_101;
const USER = 16_102;
const REPORTER = 16_103;
const NODE = '5a1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e16';
const slow = { timeoutMs: 30_000 };

jest.setTimeout(180_000);

describe('staff dashboard in the browser (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let browser: BrowserContext & { cleanup(): Promise<void> };
  let page: Page;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    // The lead is an administrator of the staff group: staff and moderator.
    tg.group(STAFF_CHAT, { title: 'Support staff', isForum: true, members: { [LEAD]: 'administrator' } });
    app = await startTestApp({ ...tg.env(), TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT) });
    browser = await launchChromium();
    page = await browser.newPage();
    // A phone-sized window: the pages must stay readable there.
    await page.setViewportSize({ width: 430, height: 900 });
  });
  afterAll(async () => {
    await browser?.cleanup();
    await app?.destroy();
    await tg?.stop();
  });

  const lead = () => tg.user(LEAD, { firstName: 'Lee', username: 'lead_lee', languageCode: 'en' });

  it('signs in with the one-time link from /dashboard in the Telegram sandbox', async () => {
    await lead().send('/dashboard');
    const m = await lead().nextMessage();
    const link = /(http\S+\/signin\/\S+)/.exec(m.text ?? '')![1]!;
    // PUBLIC_BASE_URL is not set in tests: the link names HTTP_PORT; use the real port.
    const url = new URL(link);
    await page.goto(`http://127.0.0.1:${app.runtime.port}${url.pathname}`);
    await page.waitForURL(/\/staff$/);
    await page.getByText(t('en', 'dashboard.signedInAs', { name: '@lead_lee' })).waitFor();
    await page.screenshot({ path: artifact('dashboard-1-signed-in.png'), fullPage: true });
  });

  let number = 0;
  it('a ticket opened in the Telegram emulator appears in the queue, with its SLA clock', async () => {
    const u = tg.user(USER, { firstName: 'Ann', languageCode: 'en' });
    await u.send('/support my rig will not start <b>help</b>');
    const ask = await u.nextMessage();
    await u.press(ask, { text: 'Something else' });
    const opened = await u.nextMessage();
    number = Number(/#(\d+)/.exec(opened.text ?? '')![1]);
    const row = page.locator(`tr[data-ticket="${number}"]`);
    await waitFor(
      async () => {
        await page.goto(`http://127.0.0.1:${app.runtime.port}/staff`);
        return (await row.count()) > 0;
      },
      { ...slow, intervalMs: 500, what: 'the ticket in the queue' },
    );
    await row.getByText('my rig will not start <b>help</b>').waitFor();
    await row.locator('[data-due]').waitFor();
    await page.screenshot({ path: artifact('dashboard-2-queue.png'), fullPage: true });
  });

  it('a reply from the ticket page reaches the user in the emulator', async () => {
    await page.locator(`tr[data-ticket="${number}"] a`).first().click();
    await page.waitForURL(new RegExp(`/staff/tickets/${number}$`));
    await page.locator('form[action$="/reply"] textarea').fill('Please run nvidia-smi and send the output');
    await page.locator('form[action$="/reply"] button').click();
    await page.getByText(t('en', 'dashboard.ticket.replied')).waitFor();
    const u = tg.user(USER);
    const got = await waitFor(
      () => u.messages().find((m) => (m.text ?? '').includes('Please run nvidia-smi and send the output')),
      { ...slow, what: 'the reply in the DM' },
    );
    expect(got.text).toContain('Support ·');
    // Staff working the ticket in chat see what was answered from the page, in its topic.
    const tk = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number } });
    const topic = Number((tk.homeRef as { threadId: string }).threadId);
    const copy = await waitFor(
      () =>
        tg
          .group(STAFF_CHAT)
          .messages({ threadId: topic })
          .find(
            (m) => m.from?.is_bot && (m.text ?? '').includes('Please run nvidia-smi and send the output'),
          ),
      { ...slow, what: 'the reply in the staff topic' },
    );
    expect(copy.text).toContain(t('en', 'tickets.staff.dashboardReply', { name: '@lead_lee' }));
    // The page shows it in the transcript, and the action is audited as from chat.
    await page.locator('.msg.STAFF').getByText('Please run nvidia-smi').waitFor();
    const audited = await app.tdb.db.prisma.auditEvent.findMany({
      where: { action: { in: ['ticket.reply', 'staff.tickets.reply'] } },
    });
    expect(audited.map((a) => a.action).sort()).toEqual(['staff.tickets.reply', 'ticket.reply']);
    await page.screenshot({ path: artifact('dashboard-3-ticket-reply.png'), fullPage: true });
  });

  it('confirming a case on the page changes its card in the staff group', async () => {
    const r = tg.user(REPORTER, { languageCode: 'en' });
    await r.send(`/report ${NODE} virtualized nvidia-smi shows a QEMU device`);
    const ref = /#(C\d+)/.exec((await r.nextMessage()).text ?? '')![1]!;
    const group = tg.group(STAFF_CHAT);
    const cards = () => {
      const topic = group.topics().find((x) => x.name === 'Reports');
      return group
        .messages({ threadId: topic?.message_thread_id ?? -1 })
        .filter((m) => m.from?.is_bot && (m.text ?? '').includes(`Case #${ref} `));
    };
    await waitFor(() => cards()[0], { ...slow, what: 'the case card' });
    await page.goto(`http://127.0.0.1:${app.runtime.port}/staff/cases`);
    const card = page.locator(`article[data-case="${ref}"]`);
    await card.getByText(t('en', 'moderation.reason.VIRTUALIZED_GPU'), { exact: false }).waitFor();
    await page.screenshot({ path: artifact('dashboard-4-cases.png'), fullPage: true });
    await card.getByRole('button', { name: t('en', 'dashboard.cases.confirm') }).click();
    await page.getByText(`Case ${ref}:`).waitFor();
    await waitFor(() => cards().find((m) => (m.text ?? '').includes('Confirmed fake by @lead_lee')), {
      ...slow,
      what: 'the card to show the decision',
    });
    // The reporter hears the outcome, as after a press on the card.
    await waitFor(
      () =>
        r
          .messages()
          .find((m) => m.text === t('en', 'moderation.outcome.confirmed', { case: ref, nodes: NODE })),
      { ...slow, what: 'the outcome in the reporter DM' },
    );
    await page.screenshot({ path: artifact('dashboard-5-case-confirmed.png'), fullPage: true });
  });

  it('the fleet, the knowledge base (publish from the page) and staff stats render as charts', async () => {
    const root = `http://127.0.0.1:${app.runtime.port}`;
    // A day of history for a few nodes, rolled up as the workers' job does, so the charts show lines.
    const pool = app.tdb.db.pool;
    const hour = 3_600_000;
    for (const [i, source] of ['push', 'push', 'push', 'ionet', 'nosana', 'akash'].entries()) {
      const { rows } = await pool.query<{ id: string }>(
        `INSERT INTO nodes (id, external_id, updated_at) VALUES (gen_random_uuid(), $1, now()) RETURNING id`,
        [`fleet-shot-${i}`],
      );
      for (let h = 30; h > 0; h -= 1 + i)
        await pool.query(
          `INSERT INTO node_transitions (node_id, "from", "to", at, source) VALUES ($1, 'UNKNOWN', $2, $3, $4)`,
          [rows[0]!.id, (h + i) % 3 === 0 ? 'OFFLINE' : 'ONLINE', new Date(Date.now() - h * hour), source],
        );
    }
    // History older than the rollup's rewind counts from a fresh fill (as after an upgrade).
    await pool.query('DELETE FROM fleet_hours');
    await rollupFleet(pool);
    await page.goto(`${root}/staff/fleet`);
    for (const source of ['push', 'ionet', 'nosana', 'akash'])
      expect(await page.locator(`figure[data-source="${source}"] svg`).count()).toBe(2);
    await page.locator('#pipeline').waitFor();
    await page.screenshot({ path: artifact('dashboard-6-fleet.png'), fullPage: true });

    await page.goto(`${root}/staff/kb`);
    await page
      .locator('form[action="/staff/kb/publish"] textarea')
      .fill(
        [
          '---',
          'id: dashboard-test',
          'lang: en',
          'title: Where is the staff dashboard',
          'updated: 2026-12-02',
          'source: staff',
          'tags: [dashboard]',
          '---',
          '',
          'Staff send /dashboard to the bot for a sign-in link.',
        ].join('\n'),
      );
    await page.locator('form[action="/staff/kb/publish"] button').click();
    await page.getByText(t('en', 'dashboard.kb.published', { id: 'dashboard-test', lang: 'en' })).waitFor();
    await page.goto(`${root}/staff/kb?id=dashboard-test`);
    await page.locator('#kb-history').getByText('en v1').waitFor();
    const answer = await app.runtime.app.assistant.assistant.entries();
    expect(answer.some((e) => e.id === 'dashboard-test')).toBe(true);
    await page.screenshot({ path: artifact('dashboard-7-kb.png'), fullPage: true });

    await page.goto(`${root}/staff/stats`);
    // The lead answered ticket #N first: one bar per figure, named after them.
    expect(await page.locator('figure svg').count()).toBe(8);
    await page.getByText('@lead_lee').first().waitFor();
    await page.screenshot({ path: artifact('dashboard-8-stats.png'), fullPage: true });
  });

  it('the pages in Chinese (a CJK font is installed next to Chromium, so no boxes)', async () => {
    const root = `http://127.0.0.1:${app.runtime.port}`;
    await page.goto(`${root}/staff/tickets/${number}`);
    await page.locator('form[action="/staff/lang"] button').click();
    await page.locator('html[lang="zh-CN"]').waitFor();
    await page.waitForURL(new RegExp(`/staff/tickets/${number}$`));
    await page.getByText(t('zh', 'dashboard.signedInAs', { name: '@lead_lee' })).waitFor();
    await page.screenshot({ path: artifact('dashboard-10-zh-ticket.png'), fullPage: true });
    await page.goto(`${root}/staff/fleet`);
    await page.getByRole('heading', { name: t('zh', 'dashboard.nav.fleet'), exact: true }).waitFor();
    await page.screenshot({ path: artifact('dashboard-11-zh-fleet.png'), fullPage: true });
    await page.locator('form[action="/staff/lang"] button').click();
    await page.locator('html[lang="en"]').waitFor();
  });

  it('Bull Board is mounted for staff at /staff/queues (read-only), and never for anyone else', async () => {
    const root = `http://127.0.0.1:${app.runtime.port}`;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${root}/staff/queues`);
    await page
      .getByText('deliver-telegram')
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(async (err) => {
        await page.screenshot({ path: artifact('dashboard-9-bull-board-failed.png'), fullPage: true });
        throw new Error(`${(err as Error).message}\n${(await page.content()).slice(0, 1500)}`);
      });
    await page.screenshot({ path: artifact('dashboard-9-bull-board.png'), fullPage: true });
    const anon = await fetch(`${root}/staff/queues/api/queues`, { redirect: 'manual' });
    expect(anon.status).toBe(303);
  });
});
