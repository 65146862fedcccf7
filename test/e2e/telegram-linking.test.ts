// Issue 4 on Telegram: wallet proof and node linking through the real bot and web roles.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { codeEntity } from '../support/chat';
import { evmWallet, solanaWallet } from '../support/keys';
import { freePort } from '../support/ports';

describe('Telegram wallet and node linking (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let heartbeatUrl: string;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    const port = await freePort();
    app = await startTestApp(
      { ...tg.env(), HTTP_PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
      { roles: ['bots', 'web'] },
    );
    heartbeatUrl = `http://127.0.0.1:${port}/v1/heartbeats`;
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  const walletsOf = async (telegramId: number) => {
    const identity = await app.tdb.db.prisma.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: 'TELEGRAM', platformUserId: String(telegramId) } },
    });
    return app.tdb.db.prisma.wallet.findMany({ where: { userId: identity.userId } });
  };

  it('Solana: /link answers the exact text to sign as a code entity; /verify links it; /wallets shows it in full', async () => {
    const u = tg.user(201, { languageCode: 'en' });
    const w = solanaWallet();
    await u.send(`/link ${w.address}`);
    const m = await u.nextMessage();
    const text = codeEntity(m);
    expect(text).toMatch(/wants you to sign in with your Solana account:\n/);
    expect(m.text).toMatch(/Phantom|Solflare/);
    await u.send(`/verify ${w.sign(text)}`);
    expect((await u.nextMessage()).text).toBe(`Wallet ${w.address} is linked to your account.`);
    await u.send('/wallets');
    expect((await u.nextMessage()).text).toContain(`Solana ${w.address}`);
  });

  it('EVM with personal_sign, explained in Chinese for a zh user', async () => {
    const u = tg.user(202, { languageCode: 'zh' });
    const w = evmWallet();
    await u.send(`/link ${w.address}`);
    const m = await u.nextMessage();
    expect(m.text).toContain('MetaMask');
    expect(m.text).toContain('为证明你拥有');
    await u.send(`/verify ${await w.sign(codeEntity(m))}`);
    expect((await u.nextMessage()).text).toBe(`钱包 ${w.address} 已绑定到你的账户。`);
  });

  it('every bad input gets its own clear message and changes nothing', async () => {
    const u = tg.user(203, { languageCode: 'en' });
    const w = solanaWallet();
    const ask = async (text: string) => {
      await u.send(text);
      return (await u.nextMessage()).text ?? '';
    };
    expect(await ask('/verify abc')).toMatch(/no wallet waiting for a signature/);
    expect(await ask('/link 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toMatch(/wrong checksum/);
    expect(await ask('/link hello')).toMatch(/do not recognise that address/);
    expect(await ask('/link')).toMatch(/Usage: \/link/);
    await u.send(`/link ${w.address}`);
    const challenge = codeEntity(await u.nextMessage());
    expect(await ask(`/verify ${solanaWallet().sign(challenge)}`)).toMatch(/does not match/);
    expect(await ask(`/verify ${w.sign(challenge.replace('Nonce', 'N0nce'))}`)).toMatch(/does not match/);
    expect(await ask('/verify 0OIl')).toMatch(/must be base58/);
    expect(await ask('/verify 3yZe7d')).toMatch(/wrong length/);
    expect(await walletsOf(203)).toEqual([]);
    const sig = w.sign(challenge);
    expect(await ask(`/verify ${sig}`)).toMatch(/is linked/);
    expect(await ask(`/verify ${sig}`)).toMatch(/already used/);
    expect(await walletsOf(203)).toHaveLength(1);
  });

  it('/addnode gives a token once as a code entity; heartbeats with it are accepted and show in /nodes', async () => {
    const u = tg.user(204, { languageCode: 'en' });
    await u.send('/addnode rtx4090-box-01');
    const m = await u.nextMessage();
    const token = codeEntity(m, 0);
    expect(token).toMatch(/^ndk_/);
    expect(codeEntity(m, 1)).toContain(heartbeatUrl);
    const row = await app.tdb.db.prisma.node.findUniqueOrThrow({ where: { externalId: 'rtx4090-box-01' } });
    expect(row.tokenHash).not.toContain(token);
    expect(app.logs.join('')).not.toContain(token);

    await u.send('/nodes');
    expect((await u.nextMessage()).text).toMatch(
      /rtx4090-box-01 — waiting for first heartbeat, last seen never/,
    );
    const res = await fetch(heartbeatUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ node_id: 'rtx4090-box-01', status: 'online' }),
    });
    expect(res.status).toBe(202);
    await u.send('/nodes');
    expect((await u.nextMessage()).text).toMatch(
      /rtx4090-box-01 — .*last seen \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    const wrong = await fetch(heartbeatUrl, {
      method: 'POST',
      headers: { authorization: 'Bearer ndk_forged', 'content-type': 'application/json' },
      body: JSON.stringify({ node_id: 'rtx4090-box-01', status: 'online' }),
    });
    expect(wrong.status).toBe(401);
  });

  it('a node claimed by another user is refused with an offer to open a dispute', async () => {
    const a = tg.user(205, { languageCode: 'en' });
    const b = tg.user(206, { languageCode: 'en' });
    await a.send('/addnode contested-node-1');
    await a.nextMessage();
    await b.send('/addnode contested-node-1');
    const m = await b.nextMessage();
    expect(m.text).toMatch(/already linked to another account.*dispute/s);
    expect(m.reply_markup?.inline_keyboard?.[0]?.[0]).toMatchObject({
      callback_data: 'tickets:dispute:contested-node-1',
    });
  });

  it('asked in a group, a token goes to the private chat, or the group is told to open one', async () => {
    const g = tg.group(-100555, { title: 'miners' });
    const known = tg.user(210, { languageCode: 'en' });
    const stranger = tg.user(211, { languageCode: 'en' });
    stranger.block(); // never opened a private chat with the bot
    await g.send(known, `/addnode@${tg.bot.username} group-asked-01`);
    expect((await g.nextMessage()).text).toBe('I sent you the answer in a private chat.');
    const dm = await known.nextMessage();
    expect(codeEntity(dm)).toMatch(/^ndk_/);
    await g.send(stranger, `/addnode@${tg.bot.username} group-asked-02`);
    expect((await g.nextMessage()).text).toMatch(/That answer is private/);
    expect(g.messages().some((m) => /ndk_/.test(m.text ?? ''))).toBe(false);
  });

  it('/removenode unlinks; bad node ids are explained', async () => {
    const u = tg.user(207, { languageCode: 'en' });
    await u.send('/addnode bad id');
    expect((await u.nextMessage()).text).toMatch(/node id is not valid/);
    await u.send('/addnode remove-me-0001');
    await u.nextMessage();
    await u.send('/removenode remove-me-0001');
    expect((await u.nextMessage()).text).toMatch(/no longer watched/);
    await u.send('/nodes');
    expect((await u.nextMessage()).text).toMatch(/not watching any node/);
  });

  it('the former owner of a wallet taken over is told', async () => {
    const first = tg.user(208, { languageCode: 'en' });
    const second = tg.user(209, { languageCode: 'en' });
    const w = solanaWallet();
    for (const u of [first, second]) {
      await u.send(`/link ${w.address}`);
      const challenge = codeEntity(await u.nextMessage());
      await u.send(`/verify ${w.sign(challenge)}`);
      await u.nextMessage();
    }
    expect(await walletsOf(208)).toEqual([]);
    expect(await walletsOf(209)).toHaveLength(1);
    // The notice goes through the delivery queue, which the workers role serves.
    const workers = await startTestApp(
      { ...tg.env() },
      { roles: ['workers'], tdb: app.tdb, prefix: app.prefix },
    );
    try {
      expect((await first.nextMessage({ timeoutMs: 15_000 })).text).toMatch(
        `Your wallet ${w.address} was proven by another account`,
      );
    } finally {
      await workers.stop();
    }
  });
});
