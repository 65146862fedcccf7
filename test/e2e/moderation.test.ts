// Fake-card reports end to end: the real grammY and discord.js clients against the
// emulators, the real poll source against the network emulator, all roles in one process.
import type { Message } from '@grammyjs/types';
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startNetworkSandbox, type NetworkSandbox } from '../../sandbox/network';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { t } from '../../core/i18n';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1001313;
const NODE = '7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const slow = { timeoutMs: 30_000 };
/** A 1×1 PNG: the emulator reads photo sizes from real image bytes. */
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

jest.setTimeout(180_000);

describe('moderation (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let net: NetworkSandbox;
  let app: TestApp;
  let cloned: { nodeIds: string[]; sharedGpuUuid?: string };

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, { title: 'staff', isForum: true });
    net = await startNetworkSandbox();
    // The simulator's fleet with one GPU UUID cloned onto 5 nodes.
    cloned = net.generateFleet({
      count: 120,
      seed: 1313,
      fakeCards: { clusters: 1, size: 5, signals: ['shared_gpu_uuid'] },
    }).fakeClusters[0]!;
    app = await startTestApp({
      DISCORD_TOKEN: dc.token,
      DISCORD_APPLICATION_ID: dc.applicationId,
      DISCORD_GUILD_ID: dc.guildId,
      DISCORD_API_BASE: dc.apiBase,
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_MOD_CHANNEL_ID: dc.modChannelId,
      ...tg.env(),
      TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
      NODE_SOURCE: 'push,poll',
      NODE_SOURCE_URL: net.baseUrl,
      POLL_INTERVAL_SECONDS: '5',
    });
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
    await net.stop();
  });

  const group = () => tg.group(STAFF_CHAT);
  const reportsTopic = () =>
    group()
      .topics()
      .find((x) => x.name === 'Reports');
  /** Case cards in the Reports topic (each message as it reads now, after edits). */
  const tgCards = (ref: string) =>
    group()
      .messages({ threadId: reportsTopic()?.message_thread_id ?? -1 })
      .filter((m) => m.from?.is_bot && (m.text ?? '').includes(`Case #${ref} `));
  const dcCards = (ref: string) =>
    dc
      .channel(dc.modChannelId)
      .messages()
      .filter((m) => !m.deleted && m.content.includes(`#${ref} `));
  const caseRefIn = (text: string | undefined) => /#(C\d+)/.exec(text ?? '')?.[1] ?? '';

  let ref = '';
  let owner: ReturnType<TelegramSandbox['user']>;
  let enUser: ReturnType<TelegramSandbox['user']>;
  let zhUser: ReturnType<TelegramSandbox['user']>;

  it('three people report one node: each gets the reference at once; one card per place, edited to show 3', async () => {
    owner = tg.user(131_300, { languageCode: 'en' });
    await owner.send(`/addnode ${NODE}`);
    await owner.nextMessage();
    enUser = tg.user(131_301, { languageCode: 'en' });
    zhUser = tg.user(131_302, { languageCode: 'zh' });
    await enUser.send(`/report ${NODE} virtualized nvidia-smi shows a QEMU device`);
    const first = await enUser.nextMessage();
    ref = caseRefIn(first.text);
    expect(first.text).toBe(t('en', 'moderation.report.done', { case: ref }));
    await zhUser.send(`/report ${NODE} duplicated 同一张卡`);
    expect((await zhUser.nextMessage()).text).toBe(t('zh', 'moderation.report.done', { case: ref }));

    const d = dc.user('431300000000000001', { username: 'dcreporter', locale: 'en-US' });
    const modal = await (
      await d.slash('report', { subcommand: 'node', channelId: dc.generalChannelId })
    ).modal();
    expect(modal.custom_id).toBe('moderation:report:');
    const done = await (
      await d.submitModal('moderation:report:', {
        node_id: NODE,
        reason: ['WRONG_MODEL'],
        details: 'claims an H100',
        link: '',
        // Discord modals hold a File Upload (component 19 in a label): the screenshot comes with the report.
        files: [{ filename: 'nvidia-smi.png', contentType: 'image/png', size: 48_213 }],
      })
    ).reply();
    expect(done.content).toContain(`#${ref}`);
    const dcReport = await app.tdb.db.prisma.caseReport.findFirstOrThrow({
      where: { case: { number: Number(ref.slice(1)) }, reason: 'WRONG_MODEL' },
    });
    expect(dcReport.attachments).toEqual([
      expect.objectContaining({ name: 'nvidia-smi.png', contentType: 'image/png', size: 48_213 }),
    ]);
    expect((dcReport.attachments as Array<{ url: string }>)[0]!.url).toMatch(/^http.*nvidia-smi\.png$/);

    const card = await waitFor(() => tgCards(ref).find((m) => m.text!.includes('Reports: 3 (')), {
      ...slow,
      what: 'Telegram card showing 3 reports',
    });
    expect(card.text).toContain(`Node: ${NODE}`);
    expect(tgCards(ref)).toHaveLength(1);
    expect(
      group()
        .topics()
        .filter((x) => x.name === 'Reports'),
    ).toHaveLength(1);
    await waitFor(() => dcCards(ref).find((m) => m.content.includes('Reports: 3 (')), {
      ...slow,
      what: 'Discord card showing 3',
    });
    expect(dcCards(ref)).toHaveLength(1);
  });

  it('the simulator clones one GPU UUID onto 5 nodes: a "detected" case names the signal and the 5 node ids', async () => {
    const card = await waitFor(
      () =>
        group()
          .messages({ threadId: reportsTopic()?.message_thread_id ?? -1 })
          .find((m) => (m.text ?? '').includes(`Same GPU UUID ${cloned.sharedGpuUuid} on 5 nodes`)),
      { ...slow, what: 'detected card' },
    );
    expect(card.text).toContain('· detected');
    for (const id of cloned.nodeIds) expect(card.text).toContain(id);
    // eslint-disable-next-line no-console
    console.log(`Example case card (Telegram):\n${card.text}`);
  });

  it('a non-moderator pressing confirm is refused and nothing changes; two moderators at once make one decision and one audit row', async () => {
    const card = tgCards(ref)[0]!;
    const member = tg.user(131_310, { languageCode: 'en' });
    group().setMember(member, 'member');
    const refused = await group().press(member, card, `moderation:confirm:${ref.slice(1)}`);
    expect(refused).toMatchObject({ text: t('en', 'error.forbidden.moderator'), show_alert: true });
    // A forged callback: someone outside the staff group presses a valid card button.
    const outsider = tg.user(131_309, { languageCode: 'zh' });
    group().setMember(outsider, 'kicked');
    const forged = await group().press(outsider, card, `moderation:confirm:${ref.slice(1)}`);
    expect(forged).toMatchObject({ text: t('zh', 'error.forbidden.moderator'), show_alert: true });
    const dcCard = dcCards(ref)[0]!;
    const before = await app.tdb.db.prisma.moderationCase.findUniqueOrThrow({
      where: { number: Number(ref.slice(1)) },
    });
    expect(before.state).toBe('NEW');

    const tgMod = tg.user(131_311, { languageCode: 'en', username: 'tgmod' });
    group().setMember(tgMod, 'administrator');
    const dcMod = dc.user('431300000000000010', {
      username: 'dcmod',
      locale: 'en-US',
      roles: [dc.staffRoleId],
    });
    const [a, b] = await Promise.all([
      group().press(tgMod, card, `moderation:confirm:${ref.slice(1)}`),
      dcMod.press(dcCard, `moderation:confirm:${ref.slice(1)}`).then((h) => h.reply()),
    ]);
    const texts = [a.text ?? '', (b as { content: string }).content];
    expect(
      texts.filter((x) => x.startsWith(t('en', 'moderation.act.confirmed', { case: ref }))),
    ).toHaveLength(1);
    const rows = await app.tdb.db.prisma.auditEvent.findMany({
      where: { action: 'staff.moderation.confirm' },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subjectType: 'moderation_case', subjectId: ref });
    const events = await app.tdb.db.prisma.caseEvent.findMany({
      where: { case: { number: Number(ref.slice(1)) }, action: 'confirmed' },
    });
    expect(events).toHaveLength(1);
    await waitFor(() => tgCards(ref).find((m) => m.text!.includes('✅ Confirmed fake by @')), {
      ...slow,
      what: 'decided card',
    });
    expect(tgCards(ref)[0]!.reply_markup).toBeUndefined();
  });

  it('outcome DMs reach the reporters in their language, without the other reporters, and the owner with how to appeal', async () => {
    const en = await waitFor(
      () => enUser.messages().find((m: Message) => (m.text ?? '').includes('moderators confirmed')),
      {
        ...slow,
        what: 'English outcome',
      },
    );
    expect(en.text).toBe(t('en', 'moderation.outcome.confirmed', { case: ref, nodes: NODE }));
    const zh = await waitFor(
      () => zhUser.messages().find((m: Message) => (m.text ?? '').includes('版主已确认')),
      {
        ...slow,
        what: 'Chinese outcome',
      },
    );
    expect(zh.text).toBe(t('zh', 'moderation.outcome.confirmed', { case: ref, nodes: NODE }));
    for (const m of [en, zh]) expect(m.text).not.toMatch(/dcreporter|131301|131302/);
    const toOwner = await waitFor(
      () => owner.messages().find((m: Message) => (m.text ?? '').includes(`/appeal ${ref}`)),
      {
        ...slow,
        what: 'owner notice',
      },
    );
    expect(toOwner.text).toContain(NODE);
  });

  it("the owner's Appeal button in that DM opens a ticket with the case attached (once)", async () => {
    const dm = await waitFor(
      () => owner.messages().find((m: Message) => (m.text ?? '').includes(`/appeal ${ref}`)),
      { ...slow, what: 'owner notice' },
    );
    const n = ref.slice(1);
    const answer = await owner.press(dm, `moderation:appeal:${n}`);
    expect(answer.show_alert).toBeFalsy();
    const done = await waitFor(
      () =>
        owner
          .messages()
          .find((m: Message) => (m.text ?? '').startsWith(`Your appeal of #${ref} is ticket #`)),
      { ...slow, what: 'appeal answer' },
    );
    const ticketNo = Number(/ticket #(\d+)/.exec(done.text!)![1]);
    const ticket = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number: ticketNo } });
    expect(ticket.category).toBe('dispute');
    expect(ticket.answers).toMatchObject({ case: ref, node_id: NODE });
    const ownerUser = await app.tdb.db.prisma.identity.findFirstOrThrow({
      where: { platformUserId: '131300' },
    });
    expect(ticket.userId).toBe(ownerUser.userId);
    // A second press gives the same ticket, not another one.
    await owner.press(dm, `moderation:appeal:${n}`);
    await waitFor(
      () =>
        owner
          .messages()
          .find(
            (m: Message) =>
              m.text === t('en', 'moderation.appeal.already', { case: ref, ticket: `#${ticketNo}` }),
          ),
      { ...slow, what: 'second appeal answer' },
    );
    expect(
      await app.tdb.db.prisma.ticket.count({ where: { answers: { path: ['case'], equals: ref } } }),
    ).toBe(1);
    await waitFor(
      () => tgCards(ref).find((m) => m.text!.includes(`the owner appealed: ticket #${ticketNo}`)),
      {
        ...slow,
        what: 'appeal on the card',
      },
    );
  });

  it('"Escalate" on a case card opens a ticket whose context card carries the case', async () => {
    const reporter = tg.user(131_330, { languageCode: 'en' });
    await reporter.send('/report escalate-node-0001 wrong claims an A100, shows a T4');
    const eref = caseRefIn((await reporter.nextMessage()).text);
    const card = await waitFor(() => tgCards(eref)[0], { ...slow, what: 'card to escalate' });
    const mod = tg.user(131_331, { languageCode: 'en', username: 'escmod' });
    group().setMember(mod, 'administrator');
    const answer = await group().press(mod, card, `moderation:escalate:${eref.slice(1)}`);
    expect(answer.text).toMatch(new RegExp(`^Case #${eref} is now ticket #\\d+\\.$`));
    const ticketNo = Number(/ticket #(\d+)/.exec(answer.text!)![1]);
    const ticket = await app.tdb.db.prisma.ticket.findUniqueOrThrow({ where: { number: ticketNo } });
    expect(ticket.answers).toMatchObject({ case: eref, node_id: 'escalate-node-0001' });
    // The ticket's staff topic opens with the context card naming the case.
    await waitFor(
      () =>
        group()
          .messages()
          .find(
            (m) =>
              (m.text ?? '').includes(`Ticket #${ticketNo} `) && (m.text ?? '').includes(`case: ${eref}`),
          ),
      { ...slow, what: 'ticket context card with the case' },
    );
    await waitFor(
      () => tgCards(eref).find((m) => m.text!.includes(`#${ticketNo}`) && m.text!.includes('@escmod')),
      {
        ...slow,
        what: 'escalation on the case card',
      },
    );
    const again = await group().press(mod, tgCards(eref)[0]!, `moderation:escalate:${eref.slice(1)}`);
    expect(again.text).toBe(
      t('en', 'moderation.act.alreadyEscalated', { case: eref, ticket: `#${ticketNo}` }),
    );
  });

  it("Telegram reports carry photos and documents: captioned /report, and the guided flow's file step", async () => {
    const u = tg.user(131_340, { languageCode: 'en' });
    await u.sendPhoto(Buffer.from(PNG_1PX, 'base64'), {
      caption: '/report attach-node-0001 virtualized see the screenshot',
    });
    const aref = caseRefIn((await u.nextMessage()).text);
    expect(aref).toMatch(/^C\d+$/);
    await u.send('/report');
    expect((await u.nextMessage()).text).toContain('Node id');
    await u.send('attach-node-0001');
    const reasonStep = await u.nextMessage();
    await u.press(reasonStep, 'form:pick:DUPLICATED_CARD');
    await u.nextMessage(); // details
    await u.send('same UUID as another node');
    await u.nextMessage(); // link
    await u.send('-');
    expect((await u.nextMessage()).text).toContain('Files');
    await u.send('no file, just text');
    expect((await u.nextMessage()).text).toBe(t('en', 'form.file'));
    await u.sendDocument('GPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-1)', {
      fileName: 'nvidia-smi.txt',
      mimeType: 'text/plain',
    });
    expect((await u.nextMessage()).text).toBe(t('en', 'moderation.report.repeat', { case: aref }));
    const reports = await app.tdb.db.prisma.caseReport.findMany({
      where: { case: { number: Number(aref.slice(1)) } },
      orderBy: { createdAt: 'asc' },
    });
    expect(reports.map((r) => r.attachments)).toEqual([
      [expect.objectContaining({ name: 'photo.jpg', ref: expect.any(String) })],
      [
        expect.objectContaining({
          name: 'nvidia-smi.txt',
          contentType: 'text/plain',
          ref: expect.any(String),
        }),
      ],
    ]);
    await waitFor(() => tgCards(aref).find((m) => m.text!.includes('Attachments: 2')), {
      ...slow,
      what: 'card counting the attachments',
    });
  });

  it('20 reports from fresh accounts within a minute are flagged; an 11th report within an hour is refused clearly', async () => {
    const target = 'brigaded-node-0001';
    let bref = '';
    for (let i = 0; i < 20; i++) {
      const u = tg.user(131_400 + i, { languageCode: 'en' });
      await u.send(`/report ${target} sybil coordinated`);
      bref = caseRefIn((await u.nextMessage()).text);
    }
    await waitFor(
      () => tgCards(bref).find((m) => m.text!.includes('⚠ Possible brigading: 20 reporters within 10 min')),
      // The staff group takes about 20 messages a minute (edits included): the card may wait its turn.
      { timeoutMs: 120_000, what: 'brigading flag on the card' },
    );

    const eager = tg.user(131_500, { languageCode: 'en' });
    for (let i = 0; i < 10; i++) {
      await eager.send(`/report eager-node-${String(i).padStart(4, '0')} other looks odd`);
      expect((await eager.nextMessage()).text).toMatch(/^Thank you\. Your report is case #C\d+/);
    }
    await eager.send('/report eager-node-0010 other looks odd');
    const refused = (await eager.nextMessage()).text ?? '';
    expect(refused).toMatch(
      /^You can send at most 10 reports an hour\. You can report again at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in [^)]+\)\. Nothing was stored\.$/,
    );
    expect(await app.tdb.db.prisma.caseNode.count({ where: { nodeId: 'eager-node-0010' } })).toBe(0);
  });
});
