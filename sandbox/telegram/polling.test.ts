import { GrammyError, InlineKeyboard } from 'grammy';
import { startTelegramSandbox, type TelegramSandbox } from '.';
import { SandboxBot } from './test-bot';

let tg: TelegramSandbox;
let sb: SandboxBot;

beforeEach(async () => {
  // Forgiving limits: these bots answer twice within a second and nothing here paces them.
  tg = await startTelegramSandbox({ botUsername: 'nodedesk_bot', limits: { mode: 'bucket' } });
  sb = new SandboxBot(tg);
});

afterEach(async () => {
  await sb.stop();
  await tg.stop();
});

it('answers /start over long polling with Telegram-shaped updates and messages', async () => {
  const seen: number[] = [];
  sb.bot.command('start', async (ctx) => {
    seen.push(ctx.update.update_id);
    await ctx.reply(`Hi ${ctx.from?.first_name} (${ctx.from?.language_code})`);
  });
  await sb.start();
  const u = tg.user(42, { firstName: 'Alice', username: 'alice', languageCode: 'zh-hans' });

  const sent = await u.send('/start');
  expect(sent).toMatchObject({
    message_id: 1,
    from: { id: 42, is_bot: false, first_name: 'Alice', username: 'alice', language_code: 'zh-hans' },
    chat: { id: 42, type: 'private', first_name: 'Alice', username: 'alice' },
    text: '/start',
    entities: [{ type: 'bot_command', offset: 0, length: 6 }],
  });
  expect(Number.isInteger(sent.date) && Math.abs(sent.date - Date.now() / 1000) < 5).toBe(true);

  const reply = await u.nextMessage();
  expect(reply).toMatchObject({
    message_id: 2,
    from: { id: tg.bot.id, is_bot: true, username: 'nodedesk_bot' },
    chat: { id: 42, type: 'private' },
    text: 'Hi Alice (zh-hans)',
  });
  await u.send('/start@nodedesk_bot');
  expect((await u.nextMessage()).message_id).toBe(4);
  expect(seen[1]).toBeGreaterThan(seen[0] as number);
  expect(u.messages().map((m) => m.text)).toEqual(['Hi Alice (zh-hans)', 'Hi Alice (zh-hans)']);
  expect(tg.calls('getMe')).toHaveLength(1);
  expect(tg.calls('deleteWebhook')).toHaveLength(1);
});

it('refuses badly escaped MarkdownV2 with 400 and sends nothing', async () => {
  await sb.start();
  tg.user(7);
  const failure = sb.bot.api.sendMessage(7, 'Node abc is offline.', { parse_mode: 'MarkdownV2' });
  await expect(failure).rejects.toBeInstanceOf(GrammyError);
  await expect(failure).rejects.toMatchObject({
    error_code: 400,
    description:
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
  });
  expect(tg.sent()).toEqual([]);
  const ok = await sb.bot.api.sendMessage(7, 'Node *abc* is offline\\.', { parse_mode: 'MarkdownV2' });
  expect(ok).toMatchObject({
    text: 'Node abc is offline.',
    entities: [{ type: 'bold', offset: 5, length: 3 }],
  });
});

it('stores HTML as parsed text and entities, as the real API returns them', async () => {
  sb.bot.command('link', (ctx) =>
    ctx.reply('Sign this:\n<pre>nodedesk.app wants you to sign in\nNonce: 8f2e</pre>\nthen /verify', {
      parse_mode: 'HTML',
    }),
  );
  await sb.start();
  const u = tg.user(42);
  await u.send('/link 0xabc');
  const m = await u.nextMessage();
  expect(m.text).toBe('Sign this:\nnodedesk.app wants you to sign in\nNonce: 8f2e\nthen /verify');
  expect(m.entities).toEqual([
    { type: 'pre', offset: 11, length: 45 },
    { type: 'bot_command', offset: 62, length: 7 },
  ]);
  const code = m.entities?.find((e) => e.type === 'pre');
  expect(m.text?.slice(code?.offset, (code?.offset ?? 0) + (code?.length ?? 0))).toBe(
    'nodedesk.app wants you to sign in\nNonce: 8f2e',
  );
  await expect(sb.bot.api.sendMessage(42, '<b>unclosed', { parse_mode: 'HTML' })).rejects.toMatchObject({
    error_code: 400,
    description: "Bad Request: can't parse entities: Can't find end tag corresponding to start tag b",
  });
});

it('delivers an inline button press and resolves when the bot answers it', async () => {
  sb.bot.command('mute', (ctx) =>
    ctx.reply('Mute alerts?', {
      reply_markup: new InlineKeyboard().text('1 hour', 'mute:1h').text('Off', 'mute:off'),
    }),
  );
  sb.bot.callbackQuery(/^mute:(.+)$/, async (ctx) => {
    await ctx.editMessageText(`Muted for ${ctx.match[1]}`);
    await ctx.answerCallbackQuery({ text: 'Done' });
  });
  await sb.start();
  const u = tg.user(42);
  await u.send('/mute');
  const prompt = await u.nextMessage();
  expect(prompt.reply_markup?.inline_keyboard[0]?.map((b) => b.text)).toEqual(['1 hour', 'Off']);

  await expect(u.press(prompt, 'mute:1h')).resolves.toEqual({ text: 'Done' });
  // editMessageText without reply_markup removes the keyboard, as on Telegram.
  expect(u.messages()[0]).toMatchObject({ text: 'Muted for 1h', edit_date: expect.any(Number) });
  expect(u.messages()[0]?.reply_markup).toBeUndefined();
  expect(() => u.press(prompt, 'mute:2h')).toThrow('has no inline button "mute:2h"');
});

it('answers 403 for a user who blocked the bot and tells the bot through my_chat_member', async () => {
  const statuses: string[] = [];
  sb.bot.on('my_chat_member', (ctx) => {
    statuses.push(ctx.myChatMember.new_chat_member.status);
  });
  await sb.start();
  const u = tg.user(42);
  u.block();
  await expect(sb.bot.api.sendMessage(42, 'Node back online')).rejects.toMatchObject({
    error_code: 403,
    description: 'Forbidden: bot was blocked by the user',
  });
  await tg.drained();
  expect(statuses).toEqual(['kicked']);
  u.unblock();
  await expect(sb.bot.api.sendMessage(42, 'Node back online')).resolves.toMatchObject({
    text: 'Node back online',
  });
});

it('surfaces an injected 500 to the bot and then works again', async () => {
  sb.bot.command('status', (ctx) => ctx.reply('All nodes online'));
  await sb.start();
  const u = tg.user(42);
  tg.failNext('sendMessage', { status: 500 });
  await u.send('/status');
  const err = await sb.nextError();
  expect(err.error).toBeInstanceOf(GrammyError);
  expect(err.error).toMatchObject({
    error_code: 500,
    description: 'Internal Server Error',
    method: 'sendMessage',
  });
  await u.send('/status');
  expect((await u.nextMessage()).text).toBe('All nodes online');
  expect(tg.calls('sendMessage').map((c) => c.status)).toEqual([500, 200]);
});

it('speaks the envelope for wrong tokens, unknown methods and text limits', async () => {
  const raw = async (path: string, body?: unknown) => {
    const res = await fetch(`${tg.apiRoot}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  tg.user(5);
  expect(await raw('/bot123:wrong/getMe')).toEqual({
    status: 401,
    body: { ok: false, error_code: 401, description: 'Unauthorized' },
  });
  expect(await raw(`/bot${tg.token}/sendMesage`)).toEqual({
    status: 404,
    body: { ok: false, error_code: 404, description: 'Not Found: method not found' },
  });
  expect((await raw(`/bot${tg.token}/GETME`)).body).toMatchObject({
    ok: true,
    result: { id: tg.bot.id, is_bot: true },
  });
  expect((await raw(`/bot${tg.token}/sendMessage?chat_id=5&text=%20`)).body).toMatchObject({
    error_code: 400,
    description: 'Bad Request: message text is empty',
  });
  expect(
    (await raw(`/bot${tg.token}/sendMessage`, { chat_id: 5, text: 'x'.repeat(4097) })).body,
  ).toMatchObject({
    error_code: 400,
    description: 'Bad Request: message is too long',
  });
  expect((await raw(`/bot${tg.token}/sendMessage`, { chat_id: 6, text: 'hi' })).body).toMatchObject({
    error_code: 400,
    description: 'Bad Request: chat not found',
  });
  // A second poller ends the first one with 409, like two bot instances on one token.
  const first = raw(`/bot${tg.token}/getUpdates?timeout=5`);
  await tg.waitFor(() => tg.isPolling(), { what: 'the first poll to be held' });
  await raw(`/bot${tg.token}/getUpdates?timeout=0`);
  expect((await first).body).toMatchObject({
    error_code: 409,
    description:
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  });
});

it('stores commands per scope and language', async () => {
  await sb.bot.api.setMyCommands([{ command: 'start', description: 'Start' }]);
  await sb.bot.api.setMyCommands([{ command: 'start', description: '开始' }], { language_code: 'zh' });
  await sb.bot.api.setMyCommands([{ command: 'close', description: 'Close ticket' }], {
    scope: { type: 'all_group_chats' },
  });
  expect(tg.commands()).toEqual([{ command: 'start', description: 'Start' }]);
  expect(tg.commands({ languageCode: 'zh' })).toEqual([{ command: 'start', description: '开始' }]);
  expect(await sb.bot.api.getMyCommands({ scope: { type: 'all_group_chats' } })).toEqual([
    { command: 'close', description: 'Close ticket' },
  ]);
  await expect(sb.bot.api.setMyCommands([{ command: 'Start', description: 'x' }])).rejects.toMatchObject({
    description: 'Bad Request: BOT_COMMAND_INVALID',
  });
});
