// The network sources' entry point (recordNetworkVerdict) on real PostgreSQL/Redis/BullMQ:
// a `blocked` device opens a detected case by itself; repeats are free; other verdicts and
// clearing re-gather the open case's evidence.
import { waitFor } from '../test/support/wait';
import { moderationHarness, type ModerationHarness } from './testing';

describe('network verdicts', () => {
  let h: ModerationHarness;
  beforeAll(async () => {
    h = await moderationHarness();
  });
  afterAll(() => h.close());

  const caseOf = (nodeId: string) =>
    h.tdb.db.prisma.caseNode.findFirst({
      where: { nodeId, case: { state: { not: 'MERGED' } } },
      include: { case: true },
    });

  it('io.net `blocked` opens one detected case naming the node; the same verdict again changes nothing', async () => {
    const nodeId = 'ionet-device-blocked-0001';
    await h.moderation.recordNetworkVerdict({ nodeId, network: 'ionet', verdict: 'blocked', at: new Date() });
    const hit = await waitFor(() => caseOf(nodeId), { timeoutMs: 20_000, what: 'detected case' });
    expect(hit.case.origin).toBe('DETECTED');
    const card = await waitFor(
      () =>
        h.port
          .texts('TELEGRAM')
          .find((t) => t.includes(`#C${hit.case.number} `) && t.includes('ionet says: blocked')),
      { timeoutMs: 20_000, what: 'card with the verdict' },
    );
    expect(card).toContain(nodeId);
    const jobs = await h.hub.queue('moderation-evidence').count();
    for (let i = 0; i < 3; i++)
      await h.moderation.recordNetworkVerdict({
        nodeId,
        network: 'ionet',
        verdict: 'blocked',
        at: Date.now(),
      });
    expect(await h.hub.queue('moderation-evidence').count()).toBe(jobs);
    expect(await h.tdb.db.prisma.moderationCase.count({ where: { nodes: { some: { nodeId } } } })).toBe(1);
  });

  it('a failed proof-of-work shows on the open case; clearing the verdicts takes the signal off', async () => {
    const nodeId = 'ionet-device-blocked-0002';
    await h.moderation.recordNetworkVerdict({ nodeId, network: 'ionet', verdict: 'blocked', at: Date.now() });
    const hit = await waitFor(() => caseOf(nodeId), { timeoutMs: 20_000, what: 'detected case' });
    const signals = async () =>
      ((await h.tdb.db.prisma.moderationCase.findUniqueOrThrow({ where: { id: hit.caseId } })).signals ??
        []) as Array<{ code: string; numbers: Record<string, unknown> }>;
    await waitFor(async () => ((await signals()).some((s) => s.code === 'network_verdict') ? true : null), {
      timeoutMs: 20_000,
      what: 'verdict signal',
    });
    await h.moderation.recordNetworkVerdict({ nodeId, network: 'ionet', verdict: 'cleared', at: Date.now() });
    await waitFor(async () => ((await signals()).some((s) => s.code === 'network_verdict') ? null : true), {
      timeoutMs: 20_000,
      what: 'signal gone after clearing',
    });
    await h.moderation.recordNetworkVerdict({
      nodeId,
      network: 'ionet',
      verdict: 'pow_failed',
      at: Date.now(),
    });
    const pow = await waitFor(
      async () =>
        (await signals()).find((s) => s.code === 'network_verdict' && s.numbers.verdict === 'pow_failed'),
      { timeoutMs: 20_000, what: 'pow_failed signal' },
    );
    expect(pow.numbers).toMatchObject({ network: 'ionet', nodes: 1 });
  });
});
