// Issue 9, finding 5: the Bot API answers with error texts that echo the request URL (the
// bot token is in its path). Start-up failures, failed deliveries (BullMQ's failedReason and
// stacktrace in Redis) and the delivery_failures table staff read: the token is in none.
import IORedis from 'ioredis';
import { startTelegramSandbox, type TelegramSandbox } from '../../sandbox/telegram';
import { startTestApp, type TestApp } from '../support/app';
import { codeEntity } from '../support/chat';
import { TEST_REDIS_URL } from '../support/env';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';

/** Every value stored under the prefix, whatever its type, as one string. */
async function dumpRedis(prefix: string): Promise<string> {
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        out.push(key);
        const type = await redis.type(key);
        if (type === 'string') out.push((await redis.get(key)) ?? '');
        else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return out.join('\n');
}

describe('secrets (e2e)', () => {
  let tg: TelegramSandbox;
  let app: TestApp;
  let url: string;

  beforeAll(async () => {
    tg = await startTelegramSandbox({ limits: false });
    tg.echoUrlInErrors(true);
    // The first getMe fails with the URL in its text: the start-up log must not carry it.
    tg.failNext('getMe', { status: 500 });
    const port = await freePort();
    url = `http://127.0.0.1:${port}/v1/heartbeats`;
    app = await startTestApp({
      ...tg.env(),
      HTTP_PORT: String(port),
      OFFLINE_GRACE_SECONDS: '2',
      ALERT_GROUP_WAIT_SECONDS: '1',
      SWEEP_INTERVAL_MS: '250',
    });
  });
  afterAll(async () => {
    await app.destroy();
    await tg.stop();
  });

  it('the bot token appears in no log line, no Redis key or value, and no table', async () => {
    const u = tg.user(951, { languageCode: 'en' });
    await u.send('/addnode secret-rig-01');
    const token = codeEntity(await u.nextMessage());
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ node_id: 'secret-rig-01', status: 'online' }),
    });
    await waitFor(
      async () =>
        (await app.tdb.db.prisma.node.findUnique({ where: { externalId: 'secret-rig-01' } }))?.state ===
        'ONLINE',
      { what: 'node online' },
    );
    // The alert's first send fails (5xx: the job waits out the outage, logged), the second is
    // refused (400: recorded for staff).
    tg.failNext('sendMessage', { status: 500 });
    await waitFor(() => tg.calls('sendMessage').some((c) => c.status === 500) || null, {
      timeoutMs: 20_000,
      what: 'a failed alert send',
    });
    tg.failNext('sendMessage', { status: 400, description: 'Bad Request: chat not found' });
    const failure = await waitFor(() => app.tdb.db.prisma.deliveryFailure.findFirst(), {
      timeoutMs: 20_000,
      what: 'a recorded delivery failure',
    });
    expect(failure.reason).toMatch(/chat not found/);
    expect(failure.reason).toContain('/bot[REDACTED]/sendMessage');

    const secret = tg.token.split(':')[1]!;
    const logs = app.logs.join('');
    expect(logs).toMatch(/Call to 'getMe' failed/);
    expect(logs).not.toContain(secret);
    const redis = await dumpRedis(app.prefix);
    const at = redis.indexOf(secret);
    if (at >= 0) process.stdout.write(`LEAK: ${redis.slice(Math.max(0, at - 1500), at + 100)}\n`);
    expect(redis).not.toContain(secret);
    const { rows: tables } = await app.tdb.db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
      [app.tdb.schema],
    );
    for (const { table_name } of tables) {
      const { rows } = await app.tdb.db.pool.query(`SELECT t::text AS row FROM "${table_name}" t`);
      for (const r of rows) expect(`${table_name}: ${r.row}`).not.toContain(secret);
    }
    // Heartbeat tokens are stored hashed only.
    expect(redis).not.toContain(token);
  });
});
