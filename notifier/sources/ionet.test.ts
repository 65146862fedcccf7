// The io.net adapter against the sandbox's emulation of the explorer API: the mapping onto
// a snapshot, what counts as "not found" and what as an API outage, and a token that
// expires telling staff once, not on every poll.
import IORedis from 'ioredis';
import { createLogger } from '../../core/logger';
import type { Reply } from '../../core/reply';
import { startRealNetworksSandbox, type RealNetworksSandbox } from '../../sandbox/network';
import { createTestDatabase, type TestDatabase } from '../../test/support/db';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import type { PlatformSender } from '../delivery/sender';
import { SourceHealth } from '../liveness/source-health';
import { LivenessStore } from '../liveness/store';
import { NetworkViewStore } from '../network-view';
import { StaffNotifier } from '../staff';
import { RequestBudget } from './budget';
import { IonetAdapter } from './ionet';
import { NetworkSource, type VisitContext } from './network-source';
import { runRound } from './runner';
import { DeviceScheduler } from './scheduler';
import { SnapshotSink } from './sink';
import { SourceOutage } from './types';

const ID = '5acd1666-6cf7-4732-b98e-87af45e46da1';

const ctx = (now = Date.now()): VisitContext => ({
  now: () => now,
  take: async (...kinds) => kinds[0] ?? null,
  tryTake: async () => true,
  previous: undefined,
  timeoutMs: 2_000,
});

describe('io.net adapter', () => {
  let net: RealNetworksSandbox;
  let adapter: IonetAdapter;
  beforeAll(async () => {
    net = await startRealNetworksSandbox({ ionetLimits: null });
    adapter = new IonetAdapter({ baseUrl: `${net.baseUrl}/ionet` });
  });
  afterAll(() => net.stop());

  it('maps details (hardware, location) and summary (status, uptime, earnings) onto one snapshot', async () => {
    net.ionet.add({
      id: ID,
      status: 'running',
      hardware: 'RTX A6000',
      quantity: 2,
      location: 'Canada',
      earningsIo: 12.5,
    });
    const first = await adapter.visit(ID, ctx());
    expect(first).toMatchObject({
      rawState: 'running',
      liveness: 'online',
      gpuModel: 'RTX A6000',
      gpuCount: 2,
      location: 'Canada',
      verdicts: { blocked: false, powFailed: false },
    });
    if (!first || first === 'not_found') throw new Error('no snapshot');
    net.ionet.setStatus(ID, 'paused');
    const { externalId: _e, ...prev } = first;
    const second = await adapter.visit(ID, {
      ...ctx(),
      take: async () => 'summary',
      previous: { source: 'ionet', ...prev },
    });
    expect(second).toMatchObject({
      rawState: 'paused',
      liveness: 'maintenance',
      gpuModel: 'RTX A6000',
      earnings: { amount: 12.5, unit: 'IO' },
      networkUptime: { share: 1 },
    });
  });

  it('blocked is offline with the verdict; idle and unsupported are shown as they are', async () => {
    net.ionet.add({ id: ID, status: 'blocked' });
    expect(await adapter.visit(ID, ctx())).toMatchObject({
      liveness: 'offline',
      verdicts: { blocked: true },
    });
    net.ionet.setStatus(ID, 'idle');
    expect(await adapter.visit(ID, ctx())).toMatchObject({ rawState: 'idle', liveness: 'other' });
  });

  it('404 text and 422 mean the device is unknown; 5xx, 429 and HTML mean the API is in trouble', async () => {
    expect(await adapter.visit('00000000-0000-4000-8000-000000000000', ctx())).toBe('not_found');
    expect(await adapter.visit('NOT-A-UUID', ctx())).toBe('not_found');
    net.failNext('ionet', 502);
    await expect(adapter.visit(ID, ctx())).rejects.toBeInstanceOf(SourceOutage);
    net.failNext('ionet', 429, 1, 7);
    await expect(adapter.visit(ID, ctx())).rejects.toMatchObject({ retryAfterMs: 7_000 });
    net.outage('ionet', 'html');
    await expect(adapter.visit(ID, ctx())).rejects.toThrow(/not JSON/);
    net.restore('ionet');
  });
});

describe('io.net token expiry', () => {
  let tdb: TestDatabase;
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL);
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb.drop();
    await deleteKeys(prefix);
    redis.disconnect();
  });

  it('a 401 tells staff once over many polls, and the all-clear comes once a valid token answers', async () => {
    const net = await startRealNetworksSandbox({ ionetToken: 'jwt-valid-000001', ionetLimits: null });
    const notices: string[] = [];
    const sender: PlatformSender = {
      platform: 'TELEGRAM',
      send: async () => ({ ok: true }) as never,
      sendToChannel: async (_c: string, reply: Reply) => {
        notices.push(reply.blocks.map((b) => ('text' in b ? b.text : '')).join(' '));
        return { ok: true } as never;
      },
    };
    const logger = createLogger({ level: 'silent' });
    const user = await tdb.db.prisma.user.create({ data: {} });
    await tdb.db.prisma.node.create({ data: { externalId: ID, userId: user.id, network: 'ionet' } });
    net.ionet.add({ id: ID });
    const view = new NetworkViewStore(redis, prefix);
    const source = new NetworkSource({
      adapter: new IonetAdapter({ baseUrl: `${net.baseUrl}/ionet`, token: 'jwt-valid-000001' }),
      pool: tdb.db.pool,
      budget: new RequestBudget(redis, prefix, 'ionet-t', [{ name: 'overall', limit: 1000, windowMs: 1000 }]),
      scheduler: new DeviceScheduler(redis, prefix, 'ionet'),
      view,
      everyMs: 0,
      sliceMs: 200,
      timeoutMs: 2_000,
    });
    const deps = {
      health: new SourceHealth(redis, prefix),
      sink: new SnapshotSink({
        pool: tdb.db.pool,
        redis,
        prefix,
        store: new LivenessStore(redis, prefix, 'ionet'),
        push: new LivenessStore(redis, prefix, 'push'),
        view,
        graceMs: 1_000,
      }),
      staff: new StaffNotifier([{ sender, channelId: '-1' }], logger),
      logger,
    };
    try {
      expect((await runRound(source, deps)).ok).toBe(true);
      net.expireIonetToken();
      for (let i = 0; i < 5; i++) expect((await runRound(source, deps)).ok).toBe(false);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/refuses our token/);
      net.ionet.token = 'jwt-valid-000001';
      expect((await runRound(source, deps)).ok).toBe(true);
      expect(notices).toHaveLength(2);
      expect(notices[1]).toMatch(/answers again/);
      expect(net.requests('ionet').filter((r) => r.status === 401)).toHaveLength(5);
    } finally {
      await net.stop();
    }
  });
});
