// Issue 3 on Telegram: the real bots role with grammY against the Telegram emulator.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';

describe('Telegram bot basics (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    app = await startTestApp({ ...tg.env() }, { roles: ['bots'] });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('publishes the command menu in English and Chinese', () => {
    const en = tg.commands({}).map((c) => c.command);
    expect(en).toEqual(
      expect.arrayContaining([
        'start',
        'help',
        'lang',
        'link',
        'verify',
        'wallets',
        'addnode',
        'nodes',
        'removenode',
        'status',
        'mute',
        'points',
        'ask',
        'support',
        'report',
      ]),
    );
    expect(tg.commands({ languageCode: 'zh' }).find((c) => c.command === 'help')?.description).toBe(
      '显示本列表',
    );
  });

  it('/start answers in English for an English user and in Chinese for a zh user', async () => {
    const en = tg.user(101, { firstName: 'Ann', languageCode: 'en' });
    await en.send('/start');
    expect((await en.nextMessage()).text).toMatch(/^Welcome to nodedesk, Ann!/);
    const zh = tg.user(102, { firstName: '小明', languageCode: 'zh-hans' });
    await zh.send('/start');
    expect((await zh.nextMessage()).text).toMatch(/^欢迎使用 nodedesk，小明！/);
  });

  it('/help lists every command with its description', async () => {
    const u = tg.user(103, { languageCode: 'en' });
    await u.send('/help');
    const m = await u.nextMessage();
    expect(m.text).toContain('/addnode <node_id>');
    expect(m.text).toContain('/report <node_id> <reason>');
    expect(m.entities?.[0]).toMatchObject({ type: 'bold', offset: 0 });
  });

  it('/lang zh switches and persists across a restart', async () => {
    const u = tg.user(104, { languageCode: 'en' });
    await u.send('/lang zh');
    expect((await u.nextMessage()).text).toBe('语言已切换为中文。');
    await app.stop();
    await app.start();
    await u.send('/help');
    expect((await u.nextMessage()).text).toMatch(/^命令列表/);
    await u.send('/lang xx');
    expect((await u.nextMessage()).text).toContain('不支持语言“xx”');
  });

  it('the language buttons of /start work', async () => {
    const u = tg.user(105, { languageCode: 'en' });
    await u.send('/start');
    const m = await u.nextMessage();
    await u.press(m, 'lang:zh');
    expect((await u.nextMessage()).text).toBe('语言已切换为中文。');
  });

  it('unknown and empty commands get a clear answer; group chatter is ignored', async () => {
    const u = tg.user(106, { languageCode: 'en' });
    await u.send('/frobnicate now');
    expect((await u.nextMessage()).text).toMatch(/I do not know the command \/frobnicate/);
    await u.send('/');
    expect((await u.nextMessage()).text).toMatch(/I do not know the command/);
    const g = tg.group(-100777, { title: 'miners' });
    await g.send(u, 'hello everyone');
    await g.send(u, '/help@' + tg.bot.username);
    expect((await g.nextMessage()).text).toMatch(/^Commands/);
    expect(g.messages().filter((m) => m.from?.is_bot)).toHaveLength(1);
  });

  it('a handler that throws answers politely with a reference that is in the log, and the bot keeps serving', async () => {
    const u = tg.user(109, { languageCode: 'en' });
    // Break the storage under the handler for real: the wallet challenge table goes away.
    await app.tdb.db.pool.query('ALTER TABLE wallet_challenges RENAME TO wallet_challenges_gone');
    try {
      await u.send('/link 9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM');
      const m = await u.nextMessage();
      const ref = /Reference: ([0-9a-f]{8})/.exec(m.text ?? '')?.[1];
      expect(ref).toBeDefined();
      expect(m.text).not.toMatch(/wallet_challenges|at .*\.ts/);
      expect(app.logs.some((l) => l.includes(`"ref":"${ref}"`) && l.includes('command failed'))).toBe(true);
    } finally {
      await app.tdb.db.pool.query('ALTER TABLE wallet_challenges_gone RENAME TO wallet_challenges');
    }
    await u.send('/link 9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM');
    expect((await u.nextMessage()).text).toMatch(/To prove you own/);
  });

  it('markup characters in names and texts are shown literally (entities, no parse mode)', async () => {
    const name = '<b>&amp;_*`[x](y)';
    const u = tg.user(107, { firstName: name, languageCode: 'en' });
    await u.send('/start');
    const m = await u.nextMessage();
    expect(m.text).toContain(`Welcome to nodedesk, ${name}!`);
    const call = tg.calls('sendMessage').at(-1)!;
    expect(call.params.parse_mode).toBeUndefined();
    await u.send('/lang <script>&amp;_*`');
    expect((await u.nextMessage()).text).toContain('"<script>&amp;_*`"');
  });

  it('a 10 KB message and broken UTF-16 are answered cleanly', async () => {
    const u = tg.user(108, { languageCode: 'en' });
    await u.send('/ask ' + 'x'.repeat(10_000));
    expect((await u.nextMessage()).text).toMatch(/too long|not available/);
    await u.send('/lang \ud800zz');
    expect((await u.nextMessage()).text).toMatch(/I do not know the language/);
  });
});
