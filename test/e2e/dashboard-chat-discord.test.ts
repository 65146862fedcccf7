// A Discord ticket worked in its own private thread (TICKETS_HOME=discord, the user is a
// member): a reply from the dashboard is posted in that thread, where the user reads staff
// replies, and not by DM; a claim shows there; a note does not (the user reads the thread). Sign-in with a link
// from /dashboard on Discord (a staff role). Real discord.js bot and workers, the emulator.
import { t } from '../../core/i18n';
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { discordEnv, discordReady } from '../support/discord';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

describe('dashboard actions on a Discord-homed ticket (e2e)', () => {
  let dc: DiscordSandbox;
  let app: TestApp;
  let base = '';
  const STAFF = '500000000000001601';
  const USER = '500000000000001602';

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    app = await startTestApp({
      ...discordEnv(dc),
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_MOD_CHANNEL_ID: dc.modChannelId,
      DISCORD_SUPPORT_CHANNEL_ID: dc.supportChannelId,
      TICKETS_HOME: 'discord',
    });
    base = `http://127.0.0.1:${app.runtime.port}`;
    await discordReady(dc, 'dashboard');
  });
  afterAll(async () => {
    await app?.destroy();
    await dc?.stop();
  });

  it('a page reply reaches the user in the ticket thread (not by DM); a claim shows there, a note does not', async () => {
    const staff = dc.user(STAFF, { username: 'sam', roles: [dc.staffRoleId] });
    const answer = await (await staff.slash('dashboard', { channelId: dc.generalChannelId })).reply();
    const link = /(http\S+\/signin\/\S+)/.exec(answer.content)![1]!;
    const signed = await fetch(base + new URL(link).pathname, { redirect: 'manual' });
    const cookie = signed.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      await (await fetch(`${base}/staff`, { headers: { cookie } })).text(),
    )![1]!;
    const post = (path: string, form: Record<string, string>) =>
      fetch(base + path, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
      });

    const u = dc.user(USER, { username: 'ann', locale: 'en-US' });
    const open = await u.slash('ticket', { subcommand: 'open', channelId: dc.generalChannelId });
    const submitted = await u.submitModal((await open.modal()).custom_id, {
      category: ['node-offline'],
      description: 'node offline since noon',
      node_id: 'node-dash-16',
    });
    const number = Number(/#(\d+)/.exec((await submitted.reply()).content)![1]);
    const thread = await dc.waitFor(() => dc.threads().find((x) => x.name.startsWith(`#${number} `)), {
      what: 'the ticket thread',
      timeoutMs: 20_000,
    });
    await dc.waitFor(
      () =>
        dc
          .threads()
          .find((x) => x.id === thread.id)
          ?.members.includes(USER),
      {
        what: 'the user in the thread',
      },
    );

    const body = 'Reinstall the agent <b>now</b> @everyone';
    expect((await post(`/staff/tickets/${number}/reply`, { text: body })).status).toBe(303);
    const inThread = () =>
      dc
        .channel(thread.id)
        .messages()
        .filter((m) => m.author.bot);
    const posted = await waitFor(() => inThread().find((m) => m.content.includes('Reinstall the agent')), {
      timeoutMs: 30_000,
      what: 'the reply in the thread',
    });
    expect(posted.content).toContain(t('en', 'tickets.staffReply', { name: '@sam' }));
    expect(posted.pinged.everyone).toBe(false);
    const stored = await app.tdb.db.prisma.ticketMessage.findFirstOrThrow({ where: { body } });
    expect(stored.relayedAt).not.toBeNull();
    // Once, and in the thread only: the user reads staff replies there.
    expect(inThread().filter((m) => m.content.includes('Reinstall the agent'))).toHaveLength(1);
    expect(u.dms().some((m) => m.content.includes('Reinstall the agent'))).toBe(false);

    // A note stays off the thread here: the user reads it. It is kept for staff on the page.
    expect((await post(`/staff/tickets/${number}/note`, { text: 'agent 2.3 known bad' })).status).toBe(303);
    await waitFor(
      () =>
        app.tdb.db.prisma.ticketMessage.findFirst({ where: { kind: 'NOTE', body: 'agent 2.3 known bad' } }),
      { what: 'the note stored' },
    );
    expect((await post(`/staff/tickets/${number}/claim`, {})).status).toBe(303);
    await waitFor(
      () =>
        inThread().find((m) =>
          m.content.includes(t('en', 'tickets.staff.dashboardClaim', { name: '@sam', number })),
        ),
      { timeoutMs: 30_000, what: 'the claim in the thread' },
    );
    expect(inThread().some((m) => m.content.includes('agent 2.3'))).toBe(false);
  });
});
