// Moderator actions: idempotent under concurrency, outcomes to reporters and owners,
// ask for info, escalate, on real PostgreSQL/Redis/BullMQ.
import { waitFor } from '../test/support/wait';
import type { ModeratorActor } from './model';
import { moderationHarness, type ModerationHarness } from './testing';

describe('moderator actions', () => {
  let h: ModerationHarness;
  let modA: ModeratorActor;
  let modB: ModeratorActor;
  beforeAll(async () => {
    h = await moderationHarness();
    const [a, b] = [await h.person('moda'), await h.person('modb')];
    modA = { userId: a.userId, name: '@moda' };
    modB = { userId: b.userId, name: '@modb' };
  });
  afterAll(async () => h.close());

  async function caseWith(nodeId: string, reporters: Array<{ name: string; locale?: string }>) {
    let number = 0;
    const people = [];
    for (const r of reporters) {
      const p = await h.person(r.name, r.locale ? { locale: r.locale } : {});
      people.push(p);
      const res = await h.moderation.intake.report({
        reporter: p.reporter,
        nodeId,
        reason: 'VIRTUALIZED_GPU',
        text: 'vm',
      });
      if (res.ok) number = res.caseNumber;
    }
    return { number, people };
  }

  it('two moderators confirm at the same moment: one decision, one history row; reporters and owner are told', async () => {
    const owner = await h.person('nodeowner', { locale: 'zh' });
    const nodeId = 'owned-node-42aa';
    await h.tdb.db.prisma.node.create({ data: { externalId: nodeId, userId: owner.userId } });
    const { number, people } = await caseWith(nodeId, [
      { name: 'en-reporter' },
      { name: 'zh-reporter', locale: 'zh' },
    ]);
    const results = await Promise.all([
      h.moderation.actions.decide(number, modA, 'confirm'),
      h.moderation.actions.decide(number, modB, 'confirm'),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, reason: 'closed', state: 'CONFIRMED' });
    const c = await h.tdb.db.prisma.moderationCase.findUniqueOrThrow({
      where: { number },
      include: { events: true },
    });
    expect(c.state).toBe('CONFIRMED');
    expect(c.events.filter((e) => e.action === 'confirmed')).toHaveLength(1);
    // A late dismiss changes nothing either.
    expect(await h.moderation.actions.decide(number, modA, 'dismiss')).toMatchObject({
      ok: false,
      reason: 'closed',
    });

    const en = await waitFor(async () => (await h.dms(people[0]!.userId))[0], {
      timeoutMs: 25_000,
      what: 'English outcome DM',
    });
    expect(en).toBe(
      `Your report #C${number} on ${nodeId}: moderators confirmed the node is fake. Thank you for reporting.`,
    );
    const zh = await waitFor(async () => (await h.dms(people[1]!.userId))[0], {
      timeoutMs: 25_000,
      what: 'Chinese outcome DM',
    });
    expect(zh).toContain(`您对 ${nodeId} 的举报 #C${number}`);
    // Neither reporter sees the other.
    expect(en).not.toContain('zh-reporter');
    expect(zh).not.toContain('en-reporter');
    const ownerDm = await waitFor(async () => (await h.dms(owner.userId))[0], {
      timeoutMs: 25_000,
      what: 'owner DM',
    });
    expect(ownerDm).toContain(`/appeal C${number}`);
    const standing = await h.moderation.standings.get(people[0]!.userId);
    expect(standing).toMatchObject({ confirmed: 1, dismissed: 0, weight: 1.3 });
    const card = await waitFor(
      () => h.port.texts('TELEGRAM').find((t) => t.includes(`#C${number} · confirmed fake`)),
      { timeoutMs: 25_000, what: 'decided card' },
    );
    expect(card).toMatch(/✅ Confirmed fake by @mod[ab] at/);
    expect(card).toMatch(/confirmed fake by @mod[ab]/);
  });

  it('claim once (a second claim by the same moderator changes nothing), then a take-over is recorded', async () => {
    const { number } = await caseWith('claim-node-0001', [{ name: 'claimer' }]);
    expect(await h.moderation.actions.claim(number, modA)).toMatchObject({ ok: true });
    expect(await h.moderation.actions.claim(number, modA)).toMatchObject({
      ok: false,
      reason: 'already',
      by: '@moda',
    });
    expect(await h.moderation.actions.claim(number, modB)).toMatchObject({ ok: true });
    const c = await h.tdb.db.prisma.moderationCase.findUniqueOrThrow({
      where: { number },
      include: { events: true },
    });
    expect(c).toMatchObject({ state: 'TRIAGING', assigneeName: '@modb' });
    expect(c.events.filter((e) => e.action === 'claimed').map((e) => e.actorName)).toEqual([
      '@moda',
      '@modb',
    ]);
    await waitFor(
      () =>
        h.port.texts('TELEGRAM').find((t) => t.includes(`#C${number}`) && t.includes('Assigned to @modb')),
      { timeoutMs: 25_000, what: 'card with assignee' },
    );
  });

  it('ask for info: the reporter is asked once, their answer goes into the case', async () => {
    const { number, people } = await caseWith('info-node-0001', [{ name: 'witness', locale: 'zh' }]);
    expect(await h.moderation.actions.askInfo(number, modA, 'Which command did you run?')).toMatchObject({
      ok: true,
    });
    expect(await h.moderation.actions.askInfo(number, modB)).toMatchObject({ ok: false, reason: 'already' });
    const asked = await waitFor(async () => (await h.dms(people[0]!.userId))[0], {
      timeoutMs: 25_000,
      what: 'question DM',
    });
    expect(asked).toContain('info-node-0001');
    expect(asked).toContain('Which command did you run?');
    expect((await h.tdb.db.prisma.moderationCase.findUniqueOrThrow({ where: { number } })).state).toBe(
      'NEEDS_INFO',
    );
    expect(
      await h.moderation.actions.answerInfo(
        people[0]!.userId,
        'nvidia-smi showed one card, the dashboard eight',
      ),
    ).toEqual({
      caseRef: `C${number}`,
    });
    expect(await h.moderation.actions.answerInfo(people[0]!.userId, 'again')).toBeNull();
    const c = await h.tdb.db.prisma.moderationCase.findUniqueOrThrow({ where: { number } });
    expect(c.state).toBe('TRIAGING');
    await waitFor(
      () =>
        h.port
          .texts('TELEGRAM')
          .find((t) => t.includes('a reporter answered: nvidia-smi showed one card, the dashboard eight')),
      { timeoutMs: 25_000, what: 'answer on the card' },
    );
  });

  it('escalate opens one ticket with the case attached, also when pressed twice at once', async () => {
    const { number } = await caseWith('esc-node-00001', [{ name: 'escal' }]);
    const [a, b] = await Promise.all([
      h.moderation.actions.escalate(number, modA),
      h.moderation.actions.escalate(number, modB),
    ]);
    expect([a, b].filter((r) => r.ok)).toHaveLength(1);
    expect(h.escalator.opened.filter((o) => o.caseRef === `C${number}`)).toHaveLength(1);
    const opened = h.escalator.opened.find((o) => o.caseRef === `C${number}`)!;
    expect(opened).toMatchObject({ kind: 'escalation', nodeIds: ['esc-node-00001'] });
    expect(opened.summary).toContain('Node: esc-node-00001');
    expect(await h.moderation.actions.escalate(number, modA)).toMatchObject({
      ok: false,
      reason: 'already',
      by: 'T1',
    });
  });

  it('dismissal tells the reporter and lowers their weight; unknown cases are refused', async () => {
    const { number, people } = await caseWith('dismiss-node-01', [{ name: 'wrongun' }]);
    expect(await h.moderation.actions.decide(number, modA, 'dismiss')).toMatchObject({ ok: true });
    const dm = await waitFor(async () => (await h.dms(people[0]!.userId))[0], {
      timeoutMs: 25_000,
      what: 'dismiss DM',
    });
    expect(dm).toContain('dismissed it');
    expect((await h.moderation.standings.get(people[0]!.userId)).weight).toBe(0.7);
    expect(await h.moderation.actions.decide(999_999, modA, 'confirm')).toEqual({
      ok: false,
      reason: 'not_found',
    });
  });
});
