import { IdentityService } from './identity';
import { WalletLinkService } from './wallets';
import type { UserMessenger } from './messenger';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { evmWallet, solanaWallet } from '../test/support/keys';

describe('wallet linking', () => {
  let tdb: TestDatabase;
  let identities: IdentityService;
  let clock = new Date('2026-11-24T12:00:00Z');
  const told: Array<{ userId: string; key: string; params: unknown }> = [];
  const messenger: UserMessenger = {
    tell: async (userId, key, params) => void told.push({ userId, key, params }),
  };
  let wallets: WalletLinkService;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    identities = new IdentityService(tdb.db.prisma);
    wallets = new WalletLinkService(
      tdb.db.prisma,
      { domain: 'nodedesk.local', uri: 'https://nodedesk.local', now: () => clock },
      messenger,
    );
  });
  afterAll(() => tdb.drop());

  let n = 0;
  const newIdentity = (platform: 'TELEGRAM' | 'DISCORD' = 'TELEGRAM') =>
    identities.ensure({
      platform,
      platformUserId: String(1000 + ++n),
      username: `u${n}`,
      languageCode: 'en',
    });

  async function snapshot() {
    const [w, c, a] = await Promise.all([
      tdb.db.prisma.wallet.findMany({ orderBy: { address: 'asc' } }),
      tdb.db.prisma.walletChallenge.count({ where: { usedAt: { not: null } } }),
      tdb.db.prisma.auditEvent.count(),
    ]);
    return { w, c, a };
  }

  it('Solana: the challenge follows the sign-in layout and a signature links the wallet once', async () => {
    const me = await newIdentity();
    const w = solanaWallet();
    const start = await wallets.start(me, w.address);
    if (!start.ok) throw new Error('start failed');
    expect(start.message).toMatch(/^nodedesk\.local wants you to sign in with your Solana account:\n/);
    expect(start.message).toContain(`\n${w.address}\n`);
    expect(start.message).toMatch(/\nNonce: [A-Za-z0-9]{16}\n/);
    expect(start.message).toContain('Issued At: 2026-11-24T12:00:00Z');
    expect(start.message).toContain('Expiration Time: 2026-11-24T12:10:00Z');
    const sig = w.sign(start.message);
    expect(await wallets.verify(me, sig)).toEqual({
      ok: true,
      chain: 'SOLANA',
      address: w.address,
      outcome: 'linked',
    });
    // Replaying the same signature: the nonce works once.
    const before = await snapshot();
    expect(await wallets.verify(me, sig)).toEqual({ ok: false, error: 'used' });
    expect(await snapshot()).toEqual(before);
    expect(await wallets.list(me.userId)).toEqual([
      expect.objectContaining({ chain: 'SOLANA', address: w.address }),
    ]);
  });

  it('EVM: EIP-4361 message with a checksummed address', async () => {
    const me = await newIdentity();
    const w = evmWallet();
    const start = await wallets.start(me, w.address.toLowerCase());
    if (!start.ok) throw new Error('start failed');
    expect(start.message).toMatch(
      /^nodedesk\.local wants you to sign in with your Ethereum account:\n0x[0-9a-fA-F]{40}\n/,
    );
    expect(start.message).toContain(w.address);
    expect(start.message).toContain('Chain ID: 1');
    expect(await wallets.verify(me, await w.sign(start.message))).toMatchObject({
      ok: true,
      outcome: 'linked',
    });
  });

  it('refuses expired, wrong-key, tampered, garbage and short signatures without any change', async () => {
    const me = await newIdentity();
    const w = solanaWallet();
    const start = await wallets.start(me, w.address);
    if (!start.ok) throw new Error();
    const before = await snapshot();
    expect(await wallets.verify(me, solanaWallet().sign(start.message))).toMatchObject({
      ok: false,
      error: 'mismatch',
    });
    expect(await wallets.verify(me, w.sign(start.message.replace('Nonce', 'nonce')))).toMatchObject({
      ok: false,
      error: 'mismatch',
    });
    expect(await wallets.verify(me, '0OIl+/')).toMatchObject({ ok: false, error: 'encoding' });
    expect(await wallets.verify(me, '11111111')).toMatchObject({ ok: false, error: 'length' });
    clock = new Date(clock.getTime() + 10 * 60 * 1000 + 1);
    expect(await wallets.verify(me, w.sign(start.message))).toEqual({ ok: false, error: 'expired' });
    expect(await snapshot()).toEqual(before);
    clock = new Date('2026-11-24T12:00:00Z');
  });

  it('a failed attempt does not burn the challenge: the right signature still works', async () => {
    const me = await newIdentity();
    const w = evmWallet();
    const start = await wallets.start(me, w.address);
    if (!start.ok) throw new Error();
    expect(await wallets.verify(me, await evmWallet().sign(start.message))).toMatchObject({
      ok: false,
      error: 'mismatch',
    });
    expect(await wallets.verify(me, await w.sign(start.message))).toMatchObject({ ok: true });
  });

  it('verify without a challenge says so', async () => {
    const me = await newIdentity();
    expect(await wallets.verify(me, 'abc')).toEqual({ ok: false, error: 'no_challenge' });
  });

  it('the same wallet proven from Discord then Telegram joins both identities into one user', async () => {
    const discord = await newIdentity('DISCORD');
    const telegram = await newIdentity('TELEGRAM');
    const w = solanaWallet();
    const s1 = await wallets.start(discord, w.address);
    if (!s1.ok) throw new Error();
    await wallets.verify(discord, w.sign(s1.message));
    const s2 = await wallets.start(telegram, w.address);
    if (!s2.ok) throw new Error();
    expect(await wallets.verify(telegram, w.sign(s2.message))).toMatchObject({ ok: true, outcome: 'merged' });
    const users = await identities.identitiesOfUser(discord.userId);
    expect(users.map((i) => i.platform).sort()).toEqual(['DISCORD', 'TELEGRAM']);
    expect(await tdb.db.prisma.user.findUnique({ where: { id: telegram.userId } })).toBeNull();
    expect(
      await tdb.db.prisma.auditEvent.count({ where: { action: 'user.merge', subjectId: discord.userId } }),
    ).toBe(1);
  });

  it('a second account on the same platform takes the wallet over with a fresh signature; the former owner is told', async () => {
    const first = await newIdentity('TELEGRAM');
    const second = await newIdentity('TELEGRAM');
    const w = evmWallet();
    const s1 = await wallets.start(first, w.address);
    if (!s1.ok) throw new Error();
    await wallets.verify(first, await w.sign(s1.message));
    const s2 = await wallets.start(second, w.address);
    if (!s2.ok) throw new Error();
    expect(await wallets.verify(second, await w.sign(s2.message))).toMatchObject({
      ok: true,
      outcome: 'taken_over',
    });
    expect(await wallets.list(first.userId)).toEqual([]);
    expect(await wallets.list(second.userId)).toHaveLength(1);
    expect(told).toContainEqual({
      userId: first.userId,
      key: 'wallet.takenOver',
      params: { address: w.address },
    });
    const trail = await tdb.db.prisma.auditEvent.findMany({
      where: { subjectId: w.address.toLowerCase() },
      orderBy: { id: 'asc' },
    });
    expect(trail.map((e) => e.action)).toEqual(['wallet.link', 'wallet.takeover']);
  });

  it('unlinking a wallet keeps the user and nodes', async () => {
    const me = await newIdentity();
    const w = solanaWallet();
    const s = await wallets.start(me, w.address);
    if (!s.ok) throw new Error();
    await wallets.verify(me, w.sign(s.message));
    await tdb.db.prisma.node.create({
      data: { externalId: `node-of-${me.userId.slice(0, 8)}`, userId: me.userId },
    });
    expect(await wallets.unlink(me, w.address)).toEqual({ ok: true, address: w.address });
    expect(await wallets.unlink(me, w.address)).toEqual({ ok: false, error: 'not_yours' });
    expect(await tdb.db.prisma.node.count({ where: { userId: me.userId } })).toBe(1);
  });
});
