import { IdentityService } from './identity';
import { NodeService } from './nodes';
import { hashToken } from './tokens';
import { createTestDatabase, type TestDatabase } from '../test/support/db';

describe('node claims', () => {
  let tdb: TestDatabase;
  let identities: IdentityService;
  let nodes: NodeService;
  let n = 0;
  const forgotten: string[] = [];
  const newIdentity = () =>
    identities.ensure({ platform: 'TELEGRAM', platformUserId: String(5000 + ++n), username: `m${n}` });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    identities = new IdentityService(tdb.db.prisma);
    nodes = new NodeService(tdb.db.prisma, {
      maxNodesPerUser: 3,
      tokenCache: { forget: async (h) => void (h && forgotten.push(h)) },
    });
  });
  afterAll(() => tdb.drop());

  it('validates node ids: UUID or 8-64 of [A-Za-z0-9_-]', () => {
    expect(nodes.validId('3fa85f64-5717-4562-b3fc-2c963f66afa6')).toBe(true);
    expect(nodes.validId('worker_node-01')).toBe(true);
    expect(nodes.validId('short')).toBe(false);
    expect(nodes.validId('x'.repeat(65))).toBe(false);
    expect(nodes.validId('bad id!')).toBe(false);
    expect(nodes.validId('<script>x</script>')).toBe(false);
  });

  it('issues a token shown once and stores only its hash; asking again rotates it', async () => {
    const me = await newIdentity();
    const res = await nodes.add(me, 'gpu-node-0001');
    if (!res.ok || res.via !== 'token') throw new Error('expected token');
    expect(res.token).toMatch(/^ndk_[A-Za-z0-9_-]{43}$/);
    const row = await tdb.db.prisma.node.findUniqueOrThrow({ where: { externalId: 'gpu-node-0001' } });
    expect(row.tokenHash).toBe(hashToken(res.token));
    expect(JSON.stringify(row)).not.toContain(res.token);
    const again = await nodes.add(me, 'gpu-node-0001');
    if (!again.ok || again.via !== 'token') throw new Error('expected token');
    expect(again.rotated).toBe(true);
    expect(again.token).not.toBe(res.token);
    expect(forgotten).toContain(hashToken(res.token));
  });

  it('links at once, without a token, when the network names a wallet the user verified', async () => {
    const me = await newIdentity();
    await tdb.db.prisma.wallet.create({
      data: {
        userId: me.userId,
        chain: 'SOLANA',
        address: 'So1anaWa11et1111111111111111111111111111111',
        verifiedAt: new Date(),
      },
    });
    await tdb.db.prisma.node.create({
      data: { externalId: 'net-known-01', ownerWallet: 'So1anaWa11et1111111111111111111111111111111' },
    });
    expect(await nodes.add(me, 'net-known-01')).toEqual({
      ok: true,
      nodeId: 'net-known-01',
      via: 'wallet',
      network: null,
      wallet: 'So1anaWa11et1111111111111111111111111111111',
    });
  });

  it('refuses a node claimed by someone else, and enforces the per-user limit', async () => {
    const a = await newIdentity();
    const b = await newIdentity();
    await nodes.add(a, 'contested-01');
    expect(await nodes.add(b, 'contested-01')).toEqual({
      ok: false,
      error: 'claimed_by_other',
      nodeId: 'contested-01',
    });
    await nodes.add(b, 'limit-node-1');
    await nodes.add(b, 'limit-node-2');
    await nodes.add(b, 'limit-node-3');
    expect(await nodes.add(b, 'limit-node-4')).toEqual({ ok: false, error: 'limit', limit: 3 });
  });

  it('100 parallel claims of one node by different users end with exactly one owner', async () => {
    const people = await Promise.all(Array.from({ length: 100 }, () => newIdentity()));
    const results = await Promise.all(people.map((p) => nodes.add(p, 'race-node-001')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error === 'claimed_by_other')).toHaveLength(99);
    const row = await tdb.db.prisma.node.findUniqueOrThrow({ where: { externalId: 'race-node-001' } });
    const winner = people[results.findIndex((r) => r.ok)]!;
    expect(row.userId).toBe(winner.userId);
    expect(
      await tdb.db.prisma.auditEvent.count({ where: { action: 'node.add', subjectId: 'race-node-001' } }),
    ).toBe(1);
  });

  it('remove unlinks, kills the token, keeps the row, and audits', async () => {
    const me = await newIdentity();
    const res = await nodes.add(me, 'to-remove-01');
    if (!res.ok || res.via !== 'token') throw new Error();
    const other = await newIdentity();
    expect(await nodes.remove(other, 'to-remove-01')).toEqual({ ok: false, error: 'not_yours' });
    expect(await nodes.remove(me, 'to-remove-01')).toMatchObject({ ok: true, nodeId: 'to-remove-01' });
    const row = await tdb.db.prisma.node.findUniqueOrThrow({ where: { externalId: 'to-remove-01' } });
    expect(row).toMatchObject({ userId: null, tokenHash: null });
    expect(forgotten).toContain(hashToken(res.token));
    const actions = await tdb.db.prisma.auditEvent.findMany({
      where: { subjectId: 'to-remove-01' },
      orderBy: { id: 'asc' },
    });
    expect(actions.map((a) => [a.action, a.actorUserId])).toEqual([
      ['node.add', me.userId],
      ['node.remove', me.userId],
    ]);
  });
});
