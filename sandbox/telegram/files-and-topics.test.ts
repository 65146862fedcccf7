import { Bot, InlineKeyboard, InputFile } from 'grammy';
import { startTelegramSandbox, type TelegramSandbox } from '.';
import { SandboxBot } from './test-bot';

// The smallest valid PNG: one transparent pixel.
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const STAFF = -1001234567890;

let tg: TelegramSandbox;
let bot: Bot;

beforeEach(async () => {
  tg = await startTelegramSandbox({ limits: false });
  bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
});

afterEach(async () => {
  await tg.stop();
});

describe('files', () => {
  it('keeps the uploaded document: name, type, size and bytes', async () => {
    tg.user(42);
    const csv = Buffer.from('node_id,status\nabc,offline\n');
    const m = await bot.api.sendDocument(42, new InputFile(csv, 'nodes.csv'), {
      caption: '<b>2</b> nodes',
      parse_mode: 'HTML',
    });
    expect(m.document).toMatchObject({
      file_name: 'nodes.csv',
      mime_type: 'text/csv',
      file_size: csv.length,
    });
    expect(m).toMatchObject({
      caption: '2 nodes',
      caption_entities: [{ type: 'bold', offset: 0, length: 1 }],
    });
    expect(tg.file(m.document?.file_id ?? '')?.bytes.equals(csv)).toBe(true);
    expect(tg.calls('sendDocument')[0]?.params.document).toEqual({ fileName: 'nodes.csv', size: csv.length });

    const file = await bot.api.getFile(m.document?.file_id ?? '');
    const download = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(csv)).toBe(true);

    const again = await bot.api.sendDocument(42, m.document?.file_id ?? '');
    expect(again.document?.file_unique_id).toBe(m.document?.file_unique_id);
    await expect(bot.api.sendDocument(42, 'no-such-file')).rejects.toMatchObject({
      description: 'Bad Request: wrong file identifier/HTTP URL specified',
    });
  });

  it('reads photo dimensions and refuses what is not an image', async () => {
    tg.user(42);
    const m = await bot.api.sendPhoto(42, new InputFile(PNG_1X1, 'chart.png'));
    expect(m.photo).toEqual([expect.objectContaining({ width: 1, height: 1, file_size: PNG_1X1.length })]);
    await expect(bot.api.sendPhoto(42, new InputFile(Buffer.from('not a picture')))).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: IMAGE_PROCESS_FAILED',
    });
  });

  it('lets users send files the bot can download', async () => {
    const sb = new SandboxBot(tg);
    const got: string[] = [];
    sb.bot.on('message:document', async (ctx) => {
      const file = await ctx.getFile();
      const res = await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.file_path}`);
      got.push(`${ctx.message.document.file_name}:${await res.text()}:${ctx.message.caption}`);
    });
    await sb.start();
    await tg.user(42).sendDocument('gpu evidence', { fileName: 'nvidia-smi.txt', caption: 'fake 4090' });
    await tg.drained();
    await sb.stop();
    expect(got).toEqual(['nvidia-smi.txt:gpu evidence:fake 4090']);
  });
});

describe('forum topics', () => {
  it('creates topics, posts in them and relays staff replies', async () => {
    const staff = tg.group(STAFF, { title: 'Support', isForum: true });
    const sb = new SandboxBot(tg);
    const seen: Array<{ thread?: number; text?: string; topicMessage?: boolean }> = [];
    sb.bot.on('message', (ctx) => {
      seen.push({
        thread: ctx.message.message_thread_id,
        text: ctx.message.text,
        topicMessage: ctx.message.is_topic_message,
      });
    });
    await sb.start();

    const topic = await sb.bot.api.createForumTopic(STAFF, 'Ticket #7');
    expect(topic).toEqual({ message_thread_id: expect.any(Number), name: 'Ticket #7', icon_color: 0x6fb9f0 });
    const thread = topic.message_thread_id;
    await sb.bot.api.sendMessage(STAFF, 'User asks about TGE', { message_thread_id: thread });
    const posted = await staff.nextMessage({ threadId: thread });
    expect(posted).toMatchObject({
      message_thread_id: thread,
      is_topic_message: true,
      text: 'User asks about TGE',
    });
    expect(posted.reply_to_message?.forum_topic_created).toEqual({ name: 'Ticket #7', icon_color: 0x6fb9f0 });

    await staff.send(777, 'TGE is in Q3', { threadId: thread });
    await tg.drained();
    expect(seen).toEqual([{ thread, text: 'TGE is in Q3', topicMessage: true }]);

    await sb.bot.api.closeForumTopic(STAFF, thread);
    expect(staff.topics()).toEqual([expect.objectContaining({ message_thread_id: thread, closed: true })]);
    await expect(sb.bot.api.closeForumTopic(STAFF, thread)).rejects.toMatchObject({
      description: 'Bad Request: TOPIC_NOT_MODIFIED',
    });
    await sb.bot.api.reopenForumTopic(STAFF, thread);
    expect(staff.topics()[0]?.closed).toBe(false);
    await expect(sb.bot.api.sendMessage(STAFF, 'x', { message_thread_id: 999 })).rejects.toMatchObject({
      description: 'Bad Request: message thread not found',
    });
    expect(staff.messages().map((m) => m.text)).toEqual(['User asks about TGE']);
    await sb.stop();
  });

  it('refuses topics in a group that is not a forum', async () => {
    tg.group(-100777, { title: 'Chat' });
    await expect(bot.api.createForumTopic(-100777, 'x')).rejects.toMatchObject({
      description: 'Bad Request: the chat is not a forum',
    });
  });

  it('copies a user message into a topic and lets staff press moderator buttons', async () => {
    const staff = tg.group(STAFF, { title: 'Moderators', isForum: true, members: { 9: 'administrator' } });
    const u = tg.user(42, { firstName: 'Bob' });
    const report = await u.send('Node xyz shows a fake RTX 4090');
    const { message_thread_id: thread } = await bot.api.createForumTopic(STAFF, 'Report xyz');
    const copy = await bot.api.copyMessage(STAFF, 42, report.message_id, {
      message_thread_id: thread,
      reply_markup: new InlineKeyboard().text('Confirm fake', 'case:confirm'),
    });
    const relayed = await staff.nextMessage({ threadId: thread });
    expect(relayed).toMatchObject({ message_id: copy.message_id, text: 'Node xyz shows a fake RTX 4090' });

    expect((await bot.api.getChatMember(STAFF, 9)).status).toBe('administrator');
    expect((await bot.api.getChatMember(STAFF, 42)).status).toBe('left');
    expect((await bot.api.getChatMember(STAFF, tg.bot.id)).status).toBe('administrator');
    await expect(bot.api.getChatMember(STAFF, 31337)).rejects.toMatchObject({
      description: 'Bad Request: user not found',
    });
    expect(await bot.api.getChat(STAFF)).toMatchObject({
      id: STAFF,
      type: 'supergroup',
      title: 'Moderators',
      is_forum: true,
    });

    const sb = new SandboxBot(tg);
    sb.bot.callbackQuery('case:confirm', async (ctx) => {
      const member = await ctx.getChatMember(ctx.from.id);
      await ctx.answerCallbackQuery({ text: member.status === 'administrator' ? 'Confirmed' : 'Staff only' });
    });
    await sb.start();
    await expect(staff.press(9, relayed, 'case:confirm')).resolves.toEqual({ text: 'Confirmed' });
    await expect(staff.press(42, relayed, { text: 'Confirm fake' })).resolves.toEqual({ text: 'Staff only' });
    await sb.stop();
  });
});
