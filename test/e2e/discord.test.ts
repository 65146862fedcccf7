// Issues 3-5 on Discord: the real bots/workers roles with discord.js against the emulator,
// plus the cross-platform parts (one user on both platforms, delivery fallback).
import { startDiscordSandbox, type DiscordSandbox } from '../../sandbox/discord';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { solanaWallet } from '../support/keys';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';
import { codeBlock, linkWalletOnTelegram } from '../support/chat';

describe('Discord (e2e)', () => {
  let dc: DiscordSandbox;
  let tg: TelegramSandbox;
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    dc = await startDiscordSandbox({ limits: { windowScale: 0.05 } });
    tg = await startTelegramSandbox({ limits: false });
    port = await freePort();
    app = await startTestApp({
      DISCORD_TOKEN: dc.token,
      DISCORD_APPLICATION_ID: dc.applicationId,
      DISCORD_GUILD_ID: dc.guildId,
      DISCORD_API_BASE: dc.apiBase,
      DISCORD_STAFF_ROLE_IDS: dc.staffRoleId,
      DISCORD_MOD_CHANNEL_ID: dc.modChannelId,
      ...tg.env(),
      HTTP_PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      OFFLINE_GRACE_SECONDS: '2',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
  });
  afterAll(async () => {
    await app.destroy();
    await dc.stop();
    await tg.stop();
  });

  it('registers the slash commands of docs/contracts.md on the guild, localized', () => {
    const cmds = dc.commands({ guild: true });
    const names = cmds.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'link',
        'nodes',
        'status',
        'alerts',
        'points',
        'ask',
        'ticket',
        'report',
        'lang',
        'help',
        'start',
      ]),
    );
    const nodes = cmds.find((c) => c.name === 'nodes')!;
    expect((nodes.options ?? []).map((o) => o.name).sort()).toEqual(['add', 'list', 'remove']);
    expect(nodes.description_localizations?.['zh-CN']).toBe('你的节点及状态');
  });

  it('/start answers in English and in Chinese by the user locale, privately', async () => {
    const en = dc.user('400000000000000001', { username: 'ann', locale: 'en-US' });
    const r1 = await (await en.slash('start')).reply();
    expect(r1.content).toMatch(/^Welcome to nodedesk/);
    expect(r1.ephemeral).toBe(true);
    const zh = dc.user('400000000000000002', { username: 'ming', locale: 'zh-CN' });
    expect((await (await zh.slash('start')).reply()).content).toMatch(/^欢迎使用 nodedesk/);
  });

  it('a button round-trips: /start → press 中文 → language switched, and it persists across a restart', async () => {
    const u = dc.user('400000000000000003', { username: 'bo', locale: 'en-US' });
    const start = await (await u.slash('start')).reply();
    const pressed = await (await u.press(start, 'lang:zh')).reply();
    expect(pressed.content).toBe('语言已切换为中文。');
    await app.stop();
    await app.start();
    expect((await (await u.slash('help')).reply({ timeoutMs: 15_000 })).content).toMatch(/^\*\*命令列表\*\*/);
    expect((await (await u.slash('lang', { options: { language: 'en' } })).reply()).content).toBe(
      'Language set to English.',
    );
  });

  it('user text with @everyone, role mentions and markdown never pings and is escaped', async () => {
    const u = dc.user('400000000000000004', {
      username: 'eve',
      globalName: `@everyone <@&${dc.staffRoleId}> **bold**`,
      locale: 'en-US',
    });
    const r = await (await u.slash('start')).reply();
    expect(r.content).toContain('\\*\\*bold\\*\\*');
    expect(r.allowed_mentions).toEqual({ parse: [] });
    expect(r.pinged).toEqual({ everyone: false, roles: [], users: [] });
  });

  it('a handler that throws answers politely with a reference, and the bot keeps serving', async () => {
    const u = dc.user('400000000000000005', { username: 'err', locale: 'en-US' });
    await app.tdb.db.pool.query('ALTER TABLE wallet_challenges RENAME TO wallet_challenges_gone');
    try {
      const r = await (
        await u.slash('link', { subcommand: 'wallet', options: { address: solanaWallet().address } })
      ).reply();
      const ref = /Reference: ([0-9a-f]{8})/.exec(r.content ?? '')?.[1];
      expect(ref).toBeDefined();
      expect(app.logs.some((l) => l.includes(`"ref":"${ref}"`))).toBe(true);
    } finally {
      await app.tdb.db.pool.query('ALTER TABLE wallet_challenges_gone RENAME TO wallet_challenges');
    }
    expect((await (await u.slash('help')).reply()).content).toMatch(/Commands/);
  });

  it('the same wallet proven on Discord then Telegram makes one user with two identities', async () => {
    const w = solanaWallet();
    const d = dc.user('400000000000000006', { username: 'miner', locale: 'en-US' });
    const challenge = codeBlock(
      (await (await d.slash('link', { subcommand: 'wallet', options: { address: w.address } })).reply())
        .content,
    );
    expect(challenge).toMatch(/wants you to sign in with your Solana account/);
    const ok = await (
      await d.slash('link', { subcommand: 'verify', options: { signature: w.sign(challenge) } })
    ).reply();
    expect(ok.content).toBe(`Wallet ${w.address} is linked to your account.`);

    const t = tg.user(401, { languageCode: 'en' });
    expect((await linkWalletOnTelegram(t, w)).text).toMatch(/both accounts are now one/);
    const ids = await app.tdb.db.prisma.identity.findMany({
      where: { platformUserId: { in: ['400000000000000006', '401'] } },
    });
    expect(ids).toHaveLength(2);
    expect(new Set(ids.map((i) => i.userId)).size).toBe(1);
  });

  it('offline alert by DM on Discord; when the user blocks DMs the next alert falls back to Telegram', async () => {
    const d = dc.user('400000000000000007', { username: 'rig', locale: 'en-US' });
    const add = await (
      await d.slash('nodes', { subcommand: 'add', options: { node_id: 'dc-rig-00001' } })
    ).reply();
    const token = codeBlock(add.content, 0);
    const beat = () =>
      fetch(`http://127.0.0.1:${port}/v1/heartbeats`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ node_id: 'dc-rig-00001', status: 'online' }),
      });
    expect((await beat()).status).toBe(202);
    const dm = await d.nextDm({ timeoutMs: 15_000 });
    expect(dm.content).toContain('dc-rig-00001');
    expect(dm.content).toMatch(/went offline/);
    expect(dm.pinged).toEqual({ everyone: false, roles: [], users: [] });
    // The DM channel was opened at the first interaction, so alerts need one request.
    await waitFor(
      async () =>
        (await app.tdb.db.prisma.identity.findFirst({
          where: { platformUserId: '400000000000000007', dmChatId: { not: null } },
        })) || null,
    );
    const status = await (await d.slash('status')).reply();
    expect(status.content).toMatch(/dc-rig-00001 — offline since/);
    expect(status.files?.[0]?.data.subarray(1, 4).toString()).toBe('PNG');

    // Same person on Telegram, then Discord DMs get closed.
    const w = solanaWallet();
    const c1 = codeBlock(
      (await (await d.slash('link', { subcommand: 'wallet', options: { address: w.address } })).reply())
        .content,
    );
    await (await d.slash('link', { subcommand: 'verify', options: { signature: w.sign(c1) } })).reply();
    const t = tg.user(402, { languageCode: 'zh' });
    await linkWalletOnTelegram(t, w);
    // Active on Discord last, so Discord is tried first; then its DMs get closed.
    await app.tdb.db.prisma.identity.updateMany({
      where: { platformUserId: '402' },
      data: { lastActiveAt: new Date(Date.now() - 3_600_000) },
    });
    d.blockDms();
    // Bring it back (recovery DM must fall back), in Chinese, the Telegram identity's language.
    expect((await beat()).status).toBe(202);
    const back = await t.nextMessage({ timeoutMs: 15_000 });
    expect(back.text).toMatch(/^✅ 你的节点已恢复在线/);
    const identity = await app.tdb.db.prisma.identity.findUniqueOrThrow({
      where: { platform_platformUserId: { platform: 'DISCORD', platformUserId: '400000000000000007' } },
    });
    expect(identity.dmReachable).toBe(false);
    await waitFor(
      async () =>
        (await app.runtime.hub
          .queue('deliver-discord')
          .getJobCountByTypes('waiting', 'active', 'delayed')) === 0 || null,
    );
    expect(d.dms().filter((x) => /back online/.test(x.content ?? ''))).toHaveLength(0);
  });
});
