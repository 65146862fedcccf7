// Reports, merging, abuse resistance and moderator actions on real PostgreSQL/Redis/BullMQ.
import { waitFor } from '../test/support/wait';
import { replyText } from './card';
import type { Reporter } from './model';
import { moderationHarness, type ModerationHarness } from './testing';

const NODE = '3f9a1c2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b';
const OTHER = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

describe('moderation cases', () => {
  let h: ModerationHarness;
  beforeAll(async () => {
    h = await moderationHarness();
  });
  afterAll(async () => h.close());

  const report = (who: { reporter: Reporter }, nodeId: string, text = 'same UUID as my neighbour') =>
    h.moderation.intake.report({ reporter: who.reporter, nodeId, reason: 'DUPLICATED_CARD', text });

  it('three people report one node: one case, one card per platform that says 3, edited in place', async () => {
    const [a, b, c] = [
      await h.person('alice'),
      await h.person('bob'),
      await h.person('chen', { locale: 'zh' }),
    ];
    const r1 = await report(a, NODE);
    expect(r1).toMatchObject({ ok: true, newCase: true });
    const ref = r1.ok ? r1.caseRef : '';
    expect(ref).toMatch(/^C\d+$/);
    await waitFor(async () => h.port.texts('TELEGRAM').some((t) => t.includes(`#${ref}`)), {
      timeoutMs: 25_000,
      what: 'first card',
    });
    const r2 = await report(b, NODE);
    const r3 = await report(c, NODE);
    expect([r2, r3].map((r) => r.ok && r.caseRef)).toEqual([ref, ref]);
    const card = await waitFor(
      () => h.port.texts('TELEGRAM').find((t) => t.includes(`#${ref}`) && t.includes('Reports: 3 ')),
      { timeoutMs: 25_000, what: 'card showing 3 reports' },
    );
    expect(card).toContain(`Node: ${NODE}`);
    const posted = h.port.posts.filter((p) => replyText(p.reply).includes(`#${ref}`));
    expect(posted.map((p) => p.ref.platform).sort()).toEqual(['DISCORD', 'TELEGRAM']);
    await waitFor(() => h.port.texts('DISCORD').some((t) => t.includes(`#${ref}`) && t.includes('举报：3')), {
      timeoutMs: 25_000,
      what: 'Chinese card on Discord',
    });
  });

  it('one person reporting the same node twice counts once', async () => {
    const d = await h.person('dave');
    const first = await report(d, OTHER);
    const again = await report(d, OTHER, 'also the benchmark is low');
    expect(again).toMatchObject({ ok: true, repeat: true, newCase: false });
    const caseId = first.ok ? first.caseId : '';
    const reports = await h.tdb.db.prisma.caseReport.findMany({ where: { caseId } });
    expect(reports.map((r) => r.counted).sort()).toEqual([false, true]);
    await waitFor(
      () =>
        h.port.texts('TELEGRAM').find((t) => t.includes('Reports: 1 (') && t.includes('2 reports in all')),
      { timeoutMs: 25_000, what: 'card counting one person once' },
    );
  });

  it('refuses bad input clearly and stores nothing: bad id, own node, barred, too long', async () => {
    const owner = await h.person('owner');
    const before = await h.tdb.db.prisma.caseReport.count();
    expect(await report(owner, 'bad id!')).toEqual({ ok: false, error: 'invalid_node' });
    await h.tdb.db.prisma.node.create({ data: { externalId: 'own-node-0001', userId: owner.userId } });
    expect(await report(owner, 'own-node-0001')).toEqual({ ok: false, error: 'own_node' });
    expect(await report(owner, OTHER, 'x'.repeat(1001))).toEqual({ ok: false, error: 'text_too_long' });
    const mod = await h.person('mod-bar');
    expect(await h.moderation.standings.bar(owner.userId, '@mod-bar', 'spam')).toBe(true);
    expect(await h.moderation.standings.bar(owner.userId, '@mod-bar', 'spam')).toBe(false);
    expect(await report(owner, OTHER)).toMatchObject({ ok: false, error: 'barred' });
    expect(await h.tdb.db.prisma.caseReport.count()).toBe(before);
    expect(mod.userId).toBeTruthy();
  });

  it('an 11th report within an hour is refused with the time to try again', async () => {
    const e = await h.person('eager');
    for (let i = 0; i < 10; i++)
      expect((await report(e, `node-rate-${String(i).padStart(4, '0')}`)).ok).toBe(true);
    const refused = await report(e, 'node-rate-0010');
    expect(refused).toMatchObject({ ok: false, error: 'rate_limited', limit: 'hour', max: 10 });
    const retryAt = refused.ok ? 0 : 'retryAt' in refused ? refused.retryAt.getTime() : 0;
    expect(retryAt).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(await h.tdb.db.prisma.caseNode.count({ where: { nodeId: 'node-rate-0010' } })).toBe(0);
  });

  it('20 reports from fresh accounts within a minute are flagged as possible brigading', async () => {
    const target = 'brigade-target-01';
    let ref = '';
    for (let i = 0; i < 20; i++) {
      const p = await h.person(`fresh${i}`, { ageHours: 2 });
      const r = await report(p, target, 'fake!!');
      if (r.ok) ref = r.caseRef;
    }
    const c = await h.tdb.db.prisma.moderationCase.findUniqueOrThrow({
      where: { number: Number(ref.slice(1)) },
    });
    expect(c.brigading).toMatchObject({ reports: 20, young: 20 });
    const card = await waitFor(
      // The count is read when a card is drawn, the score and flag when evidence has run for
      // the last report: wait for the card that has caught up with all 20.
      () =>
        h.port
          .texts('TELEGRAM')
          .find((t) => t.includes(`#${ref}`) && t.includes('Reports: 20 ') && t.includes('20 reporter(s)')),
      { timeoutMs: 25_000, what: 'brigading card' },
    );
    expect(card).toContain('⚠ Possible brigading: 20 reporters within 10 min; 20 accounts younger than 72 h');
    // Young accounts weigh half: 20 × 0.5 × 10 points.
    expect(card).toContain('20 reporter(s), reputation weight 10 × 10 points: +100');
  });
});
