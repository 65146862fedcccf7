// Issue 5 on Telegram: a linked node stops beating → one grouped offline DM within
// grace + group wait + 10 s; it beats again → one "back online" DM.
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { codeEntity } from '../support/chat';
import { freePort } from '../support/ports';

/** A heartbeat agent for the test: beats every `everyMs` until stopped (that is its job, not a test sleep). */
function agent(url: string, beats: Array<{ token: string; node_id: string }>, everyMs = 300) {
  let on = true;
  const loop = (async () => {
    while (on) {
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ heartbeats: beats.map((b) => ({ ...b, status: 'online' })) }),
      }).catch(() => {});
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { stop: async () => ((on = false), await loop) };
}

describe('offline alerts on Telegram (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let url: string;
  const GRACE = 2;
  const WAIT = 1;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    const port = await freePort();
    url = `http://127.0.0.1:${port}/v1/heartbeats`;
    app = await startTestApp({
      ...tg.env(),
      HTTP_PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      OFFLINE_GRACE_SECONDS: String(GRACE),
      ALERT_GROUP_WAIT_SECONDS: String(WAIT),
      SWEEP_INTERVAL_MS: '250',
    });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('one grouped DM naming every dropped node, then one "back online" DM with the downtime', async () => {
    const u = tg.user(301, { languageCode: 'en' });
    const beats = [];
    for (const id of ['rig-alpha-01', 'rig-alpha-02', 'rig-alpha-03']) {
      await u.send(`/addnode ${id}`);
      beats.push({ token: codeEntity(await u.nextMessage()), node_id: id });
    }
    let a = agent(url, beats);
    await expectEventually(
      async () => (await app.tdb.db.prisma.node.count({ where: { state: 'ONLINE' } })) === 3,
    );
    // Two of the three go quiet.
    await a.stop();
    a = agent(url, [beats[2]!]);
    const stoppedAt = Date.now();
    const alert = await u.nextMessage({ timeoutMs: (GRACE + WAIT + 10) * 1000 });
    expect(Date.now() - stoppedAt).toBeLessThan((GRACE + WAIT + 10) * 1000);
    expect(alert.text).toMatch(/^⚠️ 2 of your nodes went offline/);
    expect(alert.text).toContain('rig-alpha-01 — last seen');
    expect(alert.text).toContain('rig-alpha-02 — last seen');
    expect(alert.text).not.toContain('rig-alpha-03');
    expect(alert.text).toContain('1 of your 3 nodes are still online');

    await u.send('/status');
    const status = await u.nextMessage();
    expect(status.text).toMatch(/rig-alpha-01 — offline since/);
    expect(status.text).toMatch(/rig-alpha-03 — online since .*uptime 24 h 100\.0%/);
    expect(status.text).toMatch(/Open incident since .*: 2 node\(s\) offline/);
    const chart = await u.nextMessage();
    expect(chart.photo?.length).toBeGreaterThan(0);
    const file = tg.file(chart.photo!.at(-1)!.file_id);
    expect(file?.bytes.subarray(1, 4).toString()).toBe('PNG');

    await a.stop();
    a = agent(url, beats);
    const back = await u.nextMessage({ timeoutMs: 10_000 });
    expect(back.text).toMatch(/^✅ Your nodes are back online/);
    expect(back.text).toMatch(/rig-alpha-01 — back online after \d+ s offline/);
    expect(back.text).toMatch(/rig-alpha-02 — back online after/);
    await a.stop();
    // Exactly two DMs for this incident: no duplicate alert or recovery.
    await expectEventually(
      async () =>
        (await app.runtime.hub
          .queue('deliver-telegram')
          .getJobCountByTypes('waiting', 'active', 'delayed')) === 0,
    );
    expect(u.messages().filter((m) => /went offline|back online/.test(m.text ?? ''))).toHaveLength(2);
  });

  it('/mute silences alerts but keeps the history', async () => {
    const u = tg.user(302, { languageCode: 'en' });
    await u.send('/addnode muted-rig-0001');
    const token = codeEntity(await u.nextMessage());
    await u.send('/mute 2h');
    expect((await u.nextMessage()).text).toMatch(/muted until/);
    const a = agent(url, [{ token, node_id: 'muted-rig-0001' }]);
    await expectEventually(
      async () =>
        (await app.tdb.db.prisma.node.count({ where: { externalId: 'muted-rig-0001', state: 'ONLINE' } })) ===
        1,
    );
    await a.stop();
    await expectEventually(
      async () =>
        (await app.tdb.db.prisma.node.count({
          where: { externalId: 'muted-rig-0001', state: 'OFFLINE' },
        })) === 1,
    );
    const node = await app.tdb.db.prisma.node.findUniqueOrThrow({ where: { externalId: 'muted-rig-0001' } });
    // The incident's alert step ran (node marked alerted) without a DM.
    await expectEventually(
      async () =>
        (await app.tdb.db.prisma.incidentNode.count({
          where: { nodeId: node.id, alertedAt: { not: null } },
        })) === 1,
    );
    expect(await app.tdb.db.prisma.nodeTransition.count({ where: { nodeId: node.id } })).toBe(2);
    expect(u.messages().some((m) => /went offline/.test(m.text ?? ''))).toBe(false);
    await u.send('/mute soon');
    expect((await u.nextMessage()).text).toMatch(/did not understand "soon"/);
  });
});

async function expectEventually(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const { waitFor } = await import('../support/wait');
  await waitFor(async () => (await check()) || null, { timeoutMs, what: check.toString().slice(0, 120) });
}
