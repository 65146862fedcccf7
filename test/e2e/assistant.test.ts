// The assistant end to end on both platforms, the real discord.js and grammY clients against
// the emulators, AI answers through the OpenAI emulator as BullMQ jobs: TGE questions in
// English and Chinese with their source, refusals with the way to staff, staff publishing
// from chat (the next answer changes at once; non-staff refused), group mentions, the
// "I don't know" offer opening a ticket with the question prefilled, and the
// AI request carrying only the retrieved entries, with garbage falling back to retrieval.
import type OpenAI from 'openai';
import { t } from '../../core/i18n';
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startOpenAISandbox, type OpenAISandbox } from '../../sandbox/openai';
import { messageText } from '../../sandbox/openai/validate-chat';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { waitFor } from '../support/wait';

const STAFF_CHAT = -1004242;
const GROUP = -1005151;
const OFFER_GROUP = -1005252;

/** A stand-in model: cites the first entry it was given and says where the answer is from. */
function model(req: OpenAI.ChatCompletionCreateParams) {
  const context = req.messages.map((m) => messageText(m.content)).join('\n');
  const first = /<entry id="([^"]+)"/.exec(context)?.[1];
  return { answer: `AI answer from ${first}`, cited_ids: first ? [first] : [], confidence: 0.9 };
}

const entry = (lang: string, title: string, body: string) =>
  `---\nid: tge-status\nlang: ${lang}\ntitle: ${title}\nupdated: 2030-03-01\nsource: staff\ntags: [tge]\n---\n${body}`;

describe('assistant (e2e, both platforms)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let ai: OpenAISandbox;
  let app: TestApp;
  const versions = async () =>
    (await app.tdb.db.pool.query('SELECT count(*)::int AS n FROM kb_entry_versions')).rows[0].n as number;

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    tg.group(STAFF_CHAT, { title: 'staff', isForum: true });
    tg.group(GROUP, { title: 'community' });
    tg.group(OFFER_GROUP, { title: 'community 2' });
    ai = await startOpenAISandbox();
    ai.onChat(model);
    app = await startTestApp(
      {
        DISCORD_TOKEN: dc.token,
        DISCORD_APPLICATION_ID: dc.applicationId,
        DISCORD_GUILD_ID: dc.guildId,
        DISCORD_API_BASE: dc.apiBase,
        DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
        ...tg.env(),
        TELEGRAM_STAFF_CHAT_ID: String(STAFF_CHAT),
        OPENAI_API_KEY: ai.apiKey,
        OPENAI_BASE_URL: ai.baseURL,
        ASSISTANT_AI_TIMEOUT_MS: '5000',
      },
      { roles: ['bots', 'workers'] },
    );
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
    await ai.stop();
  });

  it('Telegram: a TGE question in English (/ask) and in Chinese (plain DM text) is answered with its source, with "typing…"', async () => {
    const en = tg.user(5101, { languageCode: 'en' });
    await en.send('/ask When is the TGE?');
    const a = await en.nextMessage();
    expect(a.text).toContain('AI answer from tge-status');
    expect(a.text).toContain('Source: TGE status and date history (updated 2026-12-01)');
    expect(tg.calls('sendChatAction').some((c) => c.params.action === 'typing')).toBe(true);

    const zh = tg.user(5102, { languageCode: 'zh-hans' });
    await zh.send('代币什么时候上线？');
    const b = await zh.nextMessage();
    expect(b.text).toContain('来源：TGE 状态与日期变化');
  });

  it('Discord: /ask in English and Chinese answers with the source', async () => {
    const en = dc.user('510000000000000001', { username: 'ann', locale: 'en-US' });
    const a = await (await en.slash('ask', { options: { question: 'when is the token launch' } })).reply();
    expect(a.content).toContain('Source: TGE status and date history');
    const zh = dc.user('510000000000000002', { username: 'li', locale: 'zh-CN' });
    const b = await (await zh.slash('ask', { options: { question: '什么时候发币' } })).reply();
    expect(b.content).toContain('来源：TGE 状态与日期变化');
  });

  it('the AI request carries only the retrieved entries and the delimited question; garbage falls back to the entry text', async () => {
    ai.reset();
    ai.onChat(model);
    const u = tg.user(5103, { languageCode: 'en' });
    await u.send('/ask What is a sybil farm?');
    expect((await u.nextMessage()).text).toContain('AI answer from sybil');
    const [req] = ai.chatRequests();
    const sent = req!.messages.map((m) => messageText(m.content)).join('\n');
    const ids = [...sent.matchAll(/<entry id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids[0]).toBe('sybil');
    expect(ids.length).toBeLessThanOrEqual(3);
    expect(sent).not.toContain('TGE status and date history');
    expect(messageText(req!.messages.at(-1)!.content)).toBe('<question>What is a sybil farm?</question>');

    ai.queueChat('this is not json');
    await u.send('/ask What are fake cards?');
    const fallback = await u.nextMessage();
    expect(fallback.text).toContain('virtual machines sold as real GPUs');
    expect(fallback.text).toContain('Source: Fake cards (fake GPUs) and how to report them');
  });

  const ticketOf = (number: number) =>
    app.tdb.db.prisma.ticket.findFirstOrThrow({ where: { number }, include: { messages: true } });

  it('Telegram: an unknown question is refused with the ticket offer; pressing it opens a ticket with the question, once', async () => {
    const question = 'What will the token price be at TGE?';
    const u = tg.user(5104, { languageCode: 'en' });
    await u.send(`/ask ${question}`);
    const m = await u.nextMessage();
    expect(m.text).toContain(t('en', 'assistant.unknown'));
    expect(m.text).toContain(t('en', 'assistant.ticketOffer'));
    await u.press(m, { text: t('en', 'assistant.ticketButton') });
    const opened = await u.nextMessage();
    expect(opened.text).toMatch(/Ticket #\d+ \(Points and rewards\) is open/);
    const ticket = await ticketOf(Number(/#(\d+)/.exec(opened.text ?? '')![1]));
    expect(ticket).toMatchObject({ subject: question, category: 'points', platform: 'TELEGRAM' });
    expect(ticket.messages.filter((x) => x.kind === 'USER').map((x) => x.body)).toEqual([question]);
    // The staff side gets the ticket with the question in it.
    const staffGroup = tg.group(STAFF_CHAT);
    const topic = await waitFor(
      () => staffGroup.topics().find((x) => x.name.startsWith(`#${ticket.number} `)),
      { what: 'ticket topic' },
    );
    await waitFor(
      () =>
        staffGroup
          .messages()
          .find((x) => x.message_thread_id === topic.message_thread_id && x.text?.includes(question)),
      { what: 'the question in the staff topic' },
    );
    // A second press finds the same ticket.
    await u.press(m, { text: t('en', 'assistant.ticketButton') });
    expect((await u.nextMessage()).text).toBe(t('en', 'tickets.openedAgain', { number: ticket.number }));
    expect(await app.tdb.db.prisma.ticket.count({ where: { userId: ticket.userId } })).toBe(1);
  });

  it('Discord: an unknown question in Chinese is refused with the offer; the button opens the prefilled ticket', async () => {
    const question = '今天天气怎么样';
    const d = dc.user('510000000000000003', { username: 'zed', locale: 'zh-CN' });
    const r = await (await d.slash('ask', { options: { question } })).reply();
    expect(r.content).toContain(t('zh', 'assistant.unknown'));
    expect(r.content).toContain(t('zh', 'assistant.ticketOffer'));
    const [button] = JSON.stringify(r.components)
      .match(/"custom_id":"assistant:ticket:[^"]+"/g)!
      .map((x) => x.slice('"custom_id":"'.length, -1));
    expect(JSON.stringify(r.components)).toContain(t('zh', 'assistant.ticketButton'));
    const opened = await (await d.press(r, button!)).reply();
    expect(opened.content).toMatch(/工单 #\d+（其他问题）已创建/);
    const ticket = await ticketOf(Number(/#(\d+)/.exec(opened.content)![1]));
    expect(ticket).toMatchObject({ subject: question, category: 'other', platform: 'DISCORD' });
    expect(ticket.messages.filter((x) => x.kind === 'USER').map((x) => x.body)).toEqual([question]);
  });

  it('in a group, only the asker can turn the offer into a ticket', async () => {
    const group = tg.group(OFFER_GROUP);
    const asker = tg.user(5110, { languageCode: 'en' });
    const other = tg.user(5111, { languageCode: 'en' });
    await group.send(asker, '/ask Who is the CEO of the company?');
    const m = await group.nextMessage();
    expect(m.text).toContain(t('en', 'assistant.ticketOffer'));
    const answer = await group.press(other, m, { text: t('en', 'assistant.ticketButton') });
    expect(answer).toMatchObject({ text: t('en', 'assistant.offerNotYours'), show_alert: true });
    expect(
      await app.tdb.db.prisma.ticket.count({ where: { subject: 'Who is the CEO of the company?' } }),
    ).toBe(0);
  });

  it('Telegram: a non-staff /kb publish is refused and changes nothing; staff publish changes the next answer at once, in both places', async () => {
    const before = await versions();
    const stranger = tg.user(5105, { languageCode: 'en' });
    await stranger.send(`/kb publish\n${entry('en', 'Fake', 'Fake news.')}`);
    expect((await stranger.nextMessage()).text).toBe(t('en', 'error.forbidden.staff'));
    expect(await versions()).toBe(before);

    const staff = tg.user(5106, { languageCode: 'en' });
    tg.group(STAFF_CHAT).setMember(staff, 'member');
    await staff.send(
      `/kb publish\n${entry('en', 'TGE update', 'Staff will announce the TGE date in this chat.')}`,
    );
    expect((await staff.nextMessage()).text).toContain('Published tge-status (en) as version 2');
    expect(await versions()).toBe(before + 1);

    ai.reset(); // no model: the emulator's default reply has confidence 0 → use a scripted model again
    ai.onChat(model);
    const asker = tg.user(5107, { languageCode: 'en' });
    await asker.send('/ask When is the TGE?');
    expect((await asker.nextMessage()).text).toContain('Source: TGE update (updated 2030-03-01)');
    const d = dc.user('510000000000000004', { username: 'amy', locale: 'en-US' });
    const r = await (await d.slash('ask', { options: { question: 'When is the TGE?' } })).reply();
    expect(r.content).toContain('Source: TGE update (updated 2030-03-01)');

    await staff.send('/kb history tge-status');
    const history = await staff.nextMessage();
    expect(history.text).toContain('Versions of tge-status');
    expect(history.text).toContain('v2 · en · updated 2030-03-01');
    const audits = await app.tdb.db.prisma.auditEvent.findMany({ where: { action: 'staff.assistant.kb' } });
    expect(audits.some((a) => a.subjectId === 'tge-status/en')).toBe(true);
  });

  it('Discord: staff publish through the form; a member without the role is refused', async () => {
    const member = dc.user('510000000000000005', { username: 'mem', locale: 'en-US' });
    const refused = await (await member.slash('kb', { subcommand: 'publish' })).reply();
    expect(refused.content).toBe(t('en', 'error.forbidden.staff'));

    const staff = dc.user('510000000000000006', {
      username: 'boss',
      locale: 'zh-CN',
      roles: [dc.staffRoleId],
    });
    const opened = await staff.slash('kb', { subcommand: 'publish' });
    const modal = await opened.modal();
    const done = await (
      await staff.submitModal(modal.custom_id, {
        entry: entry('zh', 'TGE 最新', '工作人员将在此公布 TGE 日期。'),
      })
    ).reply();
    expect(done.content).toContain('已发布 tge-status（zh），版本 2');
    const u = tg.user(5108, { languageCode: 'zh' });
    await u.send('TGE什么时候');
    expect((await u.nextMessage()).text).toContain('来源：TGE 最新（更新于 2030-03-01）');
  });

  it('in groups only /ask or a mention asks', async () => {
    const group = tg.group(GROUP);
    const u = tg.user(5109, { languageCode: 'en' });
    await group.send(u, 'when is the TGE? just chatting');
    await group.send(u, `@${tg.bot.username} what are fake cards?`);
    const m = await group.nextMessage();
    expect(m.text).toContain('Source: Fake cards (fake GPUs) and how to report them');
    await tg.drained();
    expect(group.messages().filter((x) => x.from?.is_bot)).toHaveLength(1);

    const d = dc.user('510000000000000007', { username: 'bo', locale: 'en-US' });
    await d.sendMessage(dc.generalChannelId, `<@${dc.botUserId}> what is a sybil farm?`);
    const reply = await dc.channel(dc.generalChannelId).nextMessage();
    expect(reply.content).toContain('Source: Sybil farms and multiple accounts');
  });
});
