// io.net's own fake-GPU verdict end to end: a device the explorer reports `blocked` opens
// one "detected" moderation case naming it, however many polls repeat the verdict.
import crypto from 'node:crypto';
import { startTelegramSandbox } from '../../sandbox/telegram';
import { startRealNetworksSandbox } from '../../sandbox/network';
import { startTestApp } from '../support/app';
import { waitFor } from '../support/wait';

describe('network verdicts → moderation (e2e)', () => {
  it('a blocked io.net device opens one detected case, not one per poll; its watcher is alerted', async () => {
    const tg = await startTelegramSandbox({ limits: false });
    const net = await startRealNetworksSandbox();
    const device = crypto.randomUUID();
    net.ionet.add({ id: device, status: 'up' });
    const app = await startTestApp({
      ...tg.env(),
      ...net.env(['ionet']),
      POLL_INTERVAL_SECONDS: '1',
      OFFLINE_GRACE_SECONDS: '2',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
    const prisma = app.tdb.db.prisma;
    const summaries = () => net.requests('ionet').filter((r) => r.status === 200).length;
    const cases = () =>
      prisma.moderationCase.findMany({
        where: { nodes: { some: { nodeId: device } } },
        include: { nodes: true },
      });
    try {
      const u = tg.user(730, { languageCode: 'en' });
      await u.send(`/addnode ${device}`);
      expect((await u.nextMessage()).text).toMatch(/watched through io\.net/);
      await waitFor(
        async () =>
          (await prisma.node.findUnique({ where: { externalId: device } }))?.state === 'ONLINE' || null,
        { timeoutMs: 20_000, what: 'online' },
      );
      expect(await cases()).toHaveLength(0);

      net.ionet.setStatus(device, 'blocked');
      const opened = await waitFor(async () => ((await cases()).length ? await cases() : null), {
        timeoutMs: 30_000,
        what: 'detected case',
      });
      expect(opened).toHaveLength(1);
      expect(opened[0]!.origin).toBe('DETECTED');
      expect((await u.nextMessage({ timeoutMs: 20_000 })).text).toMatch(/went offline/);
      const t0 = summaries();
      await waitFor(() => summaries() >= t0 + 5 || null, {
        timeoutMs: 20_000,
        what: 'five more blocked polls',
      });
      expect(await cases()).toHaveLength(1);
      expect(
        await prisma.nodeSignal.count({ where: { kind: 'blocked', node: { externalId: device } } }),
      ).toBe(1);
    } finally {
      await app.destroy();
      await net.stop();
      await tg.stop();
    }
  }, 120_000);
});
