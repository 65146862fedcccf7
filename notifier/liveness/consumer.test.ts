// The liveness consumer against real Redis: a poison event is set aside after N tries
// while the rest of its batch and the next batches apply; an outage dead-letters nothing.
import IORedis from 'ioredis';
import { createLogger } from '../../core/logger';
import { TEST_REDIS_URL } from '../../test/support/env';
import { deleteKeys, testPrefix } from '../../test/support/redis';
import { waitFor } from '../../test/support/wait';
import { LivenessConsumer } from './consumer';
import { eventsKey, type LivenessEvent } from './store';
import { deadLetterKey } from './stream-health';

describe('liveness consumer', () => {
  const prefix = testPrefix();
  const redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const stream = eventsKey(prefix);
  const add = (node: string) =>
    redis.xadd(stream, '*', 'n', node, 't', 'OFFLINE', 'a', String(Date.now()), 's', 'push');
  const conns: IORedis[] = [];
  const conn = () => {
    const c = redis.duplicate();
    conns.push(c);
    return c;
  };
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    redis.disconnect();
    await deleteKeys(prefix);
  });

  it('a poison event ends in the dead-letter stream after N tries; the others and later batches apply', async () => {
    const applied = new Set<string>();
    let tries = 0;
    const dead: string[] = [];
    const consumer = new LivenessConsumer({
      redis: conn(),
      stream,
      logger: createLogger({ level: 'silent' }),
      claimIdleMs: 200,
      blockMs: 100,
      maxTries: 3,
      handle: async (events: LivenessEvent[]) => {
        if (events.some((e) => e.nodeId === 'poison')) {
          tries++;
          throw new Error('invalid input syntax for type uuid: "poison"');
        }
        for (const e of events) applied.add(e.nodeId);
      },
      onDeadLetter: async (e) => void dead.push(e.nodeId),
    });
    for (const n of ['a', 'b', 'poison', 'c']) await add(n);
    await consumer.start();
    try {
      await waitFor(() => dead.length === 1 || null, { timeoutMs: 30_000, what: 'dead-lettered' });
      expect(dead).toEqual(['poison']);
      expect(tries).toBeGreaterThanOrEqual(3);
      expect([...applied].sort()).toEqual(['a', 'b', 'c']);
      const letters = await redis.xrange(deadLetterKey(stream), '-', '+');
      expect(letters).toHaveLength(1);
      expect(letters[0]![1]).toEqual(expect.arrayContaining(['n', 'poison', 'tries', '3']));
      // Nothing of it is left pending, and the next batch applies as usual.
      await add('d');
      await waitFor(() => applied.has('d') || null, { what: 'next batch applied' });
      const pending = (await redis.xpending(stream, 'notifier')) as [number, ...unknown[]];
      expect(pending[0]).toBe(0);
    } finally {
      await consumer.stop();
    }
  }, 60_000);

  it('while the store is down, failing batches stay pending and nothing is dead-lettered', async () => {
    const s2 = `${stream}:outage`;
    let down = true;
    const applied: string[] = [];
    let calls = 0;
    const consumer = new LivenessConsumer({
      redis: conn(),
      stream: s2,
      logger: createLogger({ level: 'silent' }),
      claimIdleMs: 200,
      blockMs: 100,
      maxTries: 2,
      storeHealthy: async () => !down,
      handle: async (events) => {
        calls++;
        if (down) throw new Error('connect ECONNREFUSED');
        applied.push(...events.map((e) => e.nodeId));
      },
    });
    await redis.xadd(s2, '*', 'n', 'x', 't', 'OFFLINE', 'a', '1', 's', 'push');
    await consumer.start();
    try {
      await waitFor(() => calls >= 4 || null, { timeoutMs: 30_000, what: 'several failed tries' });
      expect(await redis.xlen(deadLetterKey(s2))).toBe(0);
      down = false;
      await waitFor(() => applied.includes('x') || null, {
        timeoutMs: 30_000,
        what: 'applied after recovery',
      });
      expect(await redis.xlen(deadLetterKey(s2))).toBe(0);
    } finally {
      await consumer.stop();
    }
  }, 60_000);
});
