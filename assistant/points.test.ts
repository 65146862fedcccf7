// /points from the user's own history: uptime per window from node_transitions, the
// published snapshots a node was offline at, then the curated explanation.
import IORedis from 'ioredis';
import { NetworkViewStore } from '../notifier/network-view';
import { createTestDatabase, type TestDatabase } from '../test/support/db';
import { TEST_REDIS_URL } from '../test/support/env';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { networkFigures } from './points';
import { renderPoints } from './render';
import { KNOWLEDGE_DIR } from './retrieval/text';
import { Assistant } from './service';

const HOUR = 3_600_000;

describe('personal points', () => {
  let tdb: TestDatabase;
  let assistant: Assistant;
  let userId: string;
  const now = Date.now();
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL);
  const view = new NetworkViewStore(redis, prefix);

  beforeAll(async () => {
    tdb = await createTestDatabase();
    assistant = new Assistant({ prisma: tdb.db.prisma, pool: tdb.db.pool, figures: networkFigures(view) });
    await assistant.importDir(KNOWLEDGE_DIR);
    userId = (await tdb.db.prisma.user.create({ data: {} })).id;
    const node = await tdb.db.prisma.node.create({ data: { externalId: 'rig-01', userId, state: 'ONLINE' } });
    // Online for 10 days, except 6 hours offline 12 to 6 hours ago.
    await tdb.db.prisma.nodeTransition.createMany({
      data: [
        { nodeId: node.id, from: 'UNKNOWN', to: 'ONLINE', at: new Date(now - 240 * HOUR), source: 'push' },
        { nodeId: node.id, from: 'ONLINE', to: 'OFFLINE', at: new Date(now - 12 * HOUR), source: 'push' },
        { nodeId: node.id, from: 'OFFLINE', to: 'ONLINE', at: new Date(now - 6 * HOUR), source: 'push' },
      ],
    });
  });
  afterAll(async () => {
    await deleteKeys(prefix);
    redis.disconnect();
    await tdb.drop();
  });

  it('names each node with 24 h, 7 d and season uptime, then the curated explanation', async () => {
    const report = await assistant.points(userId, 'en');
    expect(report.nodes).toHaveLength(1);
    expect(report.nodes[0]!.uptime24h).toBeCloseTo(0.75, 2);
    expect(report.nodes[0]!.uptime7d).toBeCloseTo(1 - 6 / 168, 2);
    expect(report.nodes[0]!.uptimeSeason).toBeCloseTo(1 - 6 / 240, 2);
    expect(report.seasonStart).toBeNull();
    expect(report.explanation).toMatchObject({ sources: [{ id: 'points-earned' }] });
    const shown = renderPoints(report, 'en')
      .blocks.map((b) => JSON.stringify(b))
      .join('\n');
    expect(shown).toContain('rig-01: 75.0% (24 h)');
    expect(shown).toContain('Source: How points are earned');
  });

  it('lists snapshots the node was offline at, once staff publish their times, and the season window', async () => {
    const snap = new Date(now - 9 * HOUR).toISOString();
    const seasonStart = new Date(now - 5 * 24 * HOUR).toISOString().slice(0, 10);
    const published = await assistant.publish(
      `---\nid: snapshots\nlang: en\ntitle: Snapshots\nupdated: 2030-01-01\nsource: staff\nsnapshots: [${snap}]\nseason_start: ${seasonStart}\n---\nSnapshot times are listed above.\n`,
      { userId },
    );
    expect(published.kind).toBe('published');
    const report = await assistant.points(userId, 'zh');
    expect(report.missedSnapshots).toEqual([{ externalId: 'rig-01', at: snap }]);
    expect(report.seasonStart).toBe(seasonStart);
    const shown = renderPoints(report, 'zh')
      .blocks.map((b) => JSON.stringify(b))
      .join('\n');
    expect(shown).toContain('rig-01 在');
    expect(shown).toContain('来源：积分是怎么获得的');
  });

  it('"why are my points low?" gets the personal report with the curated low-points entry', async () => {
    const r = await assistant.respond('Why are my points so low?', 'en', userId);
    expect(r.kind).toBe('points');
    if (r.kind === 'points') expect(r.report.explanation).toMatchObject({ sources: [{ id: 'points-low' }] });
    expect((await assistant.respond('When is the TGE?', 'en', userId)).kind).toBe('answer');
  });

  it('a user without nodes is told how to add one', async () => {
    const other = (await tdb.db.prisma.user.create({ data: {} })).id;
    const report = await assistant.points(other, 'en');
    const shown = renderPoints(report, 'en')
      .blocks.map((b) => JSON.stringify(b))
      .join('\n');
    expect(shown).toContain('/addnode');
  });

  it('shows the points figure a network source reports, in its unit, and none where the network gives none', async () => {
    const rig = await tdb.db.prisma.node.findFirstOrThrow({ where: { externalId: 'rig-01' } });
    const quiet = await tdb.db.prisma.node.create({
      data: { externalId: 'rig-02', userId, state: 'ONLINE' },
    });
    const observedAt = now - HOUR;
    const snapshot = (externalId: string, earnings: { amount: number; unit: string } | null) => ({
      externalId,
      rawState: 'up',
      liveness: 'online' as const,
      observedAt,
      earnings,
      verdicts: {},
    });
    await view.write('ionet', [
      { nodeId: rig.id, snapshot: snapshot('rig-01', { amount: 1234.5, unit: 'IO' }) },
      { nodeId: quiet.id, snapshot: snapshot('rig-02', null) },
    ]);
    const report = await assistant.points(userId, 'en');
    expect(report.figures).toEqual([
      { externalId: 'rig-01', value: 1234.5, unit: 'IO', network: 'ionet', asOf: new Date(observedAt) },
    ]);
    const shown = renderPoints(report, 'en')
      .blocks.map((b) => JSON.stringify(b))
      .join('\n');
    expect(shown).toContain('rig-01: 1234.5 IO, as io.net reports it');
    expect(shown).not.toMatch(/rig-02: [\d.]+ /);
    // The personal answer to "why are my points low?" carries the same figure.
    const r = await assistant.respond('why are my points low', 'zh', userId);
    expect(r.kind === 'points' && r.report.figures.map((f) => f.externalId)).toEqual(['rig-01']);
    const zh = renderPoints((r as { report: typeof report }).report, 'zh')
      .blocks.map((b) => JSON.stringify(b))
      .join('\n');
    expect(zh).toContain('rig-01：1234.5 IO（io.net 提供的数据');
    await tdb.db.prisma.node.delete({ where: { id: quiet.id } });
  });
});
