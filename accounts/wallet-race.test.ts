// Issue 9, finding 8: two identities proving the same new wallet at once both get a clear
// answer (the second as if it came after the first), and old challenges are pruned.
import { IdentityService } from './identity';
import { pruneChallenges, WalletLinkService } from './wallets';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { solanaWallet } from '../test/support/keys';

describe('wallet proof races and challenge pruning', () => {
  let tdb: TestDatabase;
  let identities: IdentityService;
  let wallets: WalletLinkService;
  let clock = new Date('2026-11-30T12:00:00Z');
  let n = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    identities = new IdentityService(tdb.db.prisma);
    wallets = new WalletLinkService(tdb.db.prisma, {
      domain: 'nodedesk.local',
      uri: 'https://nodedesk.local',
      now: () => clock,
    });
  });
  afterAll(() => tdb.drop());

  const identity = (platform: 'TELEGRAM' | 'DISCORD') =>
    identities.ensure({
      platform,
      platformUserId: String(7000 + ++n),
      username: `r${n}`,
      languageCode: 'en',
    });

  it('two identities proving the same new wallet at once both get a clear answer', async () => {
    for (const platforms of [
      ['TELEGRAM', 'DISCORD'],
      ['TELEGRAM', 'TELEGRAM'],
    ] as const) {
      const w = solanaWallet();
      const people = await Promise.all(platforms.map((p) => identity(p)));
      const sigs: string[] = [];
      for (const p of people) {
        const start = await wallets.start(p, w.address);
        if (!start.ok) throw new Error('start failed');
        sigs.push(w.sign(start.message));
      }
      const results = await Promise.all(people.map((p, i) => wallets.verify(p, sigs[i]!)));
      expect(results.every((r) => r.ok)).toBe(true);
      const outcomes = results.map((r) => (r.ok ? r.outcome : r)).sort();
      // Different platforms: one person, one user. Same platform: the later proof takes it over.
      expect(outcomes).toEqual(platforms[1] === 'DISCORD' ? ['linked', 'merged'] : ['linked', 'taken_over']);
      expect(await tdb.db.prisma.wallet.count({ where: { address: w.address } })).toBe(1);
    }
  });

  it("a new challenge replaces the identity's older ones, and expired challenges are pruned", async () => {
    const me = await identity('TELEGRAM');
    const w = solanaWallet();
    for (let i = 0; i < 5; i++) await wallets.start(me, w.address);
    expect(await tdb.db.prisma.walletChallenge.count({ where: { identityId: me.id } })).toBe(1);
    const other = await identity('DISCORD');
    await wallets.start(other, w.address);
    clock = new Date(clock.getTime() + 2 * 24 * 3600 * 1000);
    const pruned = await pruneChallenges(tdb.db.prisma, clock);
    expect(pruned).toBeGreaterThanOrEqual(2);
    expect(
      await tdb.db.prisma.walletChallenge.count({
        where: { expiresAt: { lt: new Date(clock.getTime() - 3600_000) } },
      }),
    ).toBe(0);
  });
});
