import { spawn } from 'node:child_process';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { QueueHub } from './queue';
import { deleteKeys, testPrefix } from '../test/support/redis';
import { TEST_REDIS_URL } from '../test/support/env';
import { waitFor } from '../test/support/wait';
import { ROOT, cleanEnv } from '../test/support/cli';

describe('queue hub', () => {
  const prefix = testPrefix();
  let hub: QueueHub;

  beforeEach(() => {
    hub = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix });
  });
  afterEach(() => hub.close());
  afterAll(() => deleteKeys(prefix));

  it('applies QUEUE_PREFIX to every key', async () => {
    await hub.add('maintenance', { task: 'noop' }, { jobId: 'prefixed' });
    const keys = await hub.redis.keys(`${prefix}:maintenance:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(await hub.redis.keys('bull:maintenance:prefixed')).toEqual([]);
  });

  it('runs a job enqueued twice with the same id once', async () => {
    const runs: string[] = [];
    await hub.add('maintenance', { task: 'dedupe' }, { jobId: 'same-id' });
    await hub.add('maintenance', { task: 'dedupe' }, { jobId: 'same-id' });
    const events = new QueueEvents('maintenance', { connection: { url: TEST_REDIS_URL } as never, prefix });
    await events.waitUntilReady();
    const completed = new Promise<void>((resolve) =>
      events.on('completed', ({ jobId }) => jobId === 'after' && resolve()),
    );
    hub.worker('maintenance', async (job) => {
      runs.push(job.id!);
    });
    // A job added after the duplicates: once it has run, the queue is drained.
    await hub.add('maintenance', { task: 'marker' }, { jobId: 'after' });
    await completed;
    // Adding it again after it completed is still a duplicate: the id is kept for a day.
    await hub.add('maintenance', { task: 'dedupe' }, { jobId: 'same-id' });
    expect(await hub.queue('maintenance').getJobCountByTypes('waiting', 'active')).toBe(0);
    expect(runs.filter((id) => id === 'same-id')).toHaveLength(1);
    await events.close();
  });

  it("a failed job's failedReason and stacktrace in Redis carry no secret from its error text", async () => {
    const token = '123456789:AAF_queue_failure_secret_token_value_xyz';
    const events = new QueueEvents('maintenance', { connection: { url: TEST_REDIS_URL } as never, prefix });
    await events.waitUntilReady();
    const failed = new Promise<void>((resolve) =>
      events.on('failed', ({ jobId }) => jobId === 'leaky' && resolve()),
    );
    hub.worker('maintenance', async () => {
      // What grammY throws when the Bot API is unreachable: the request URL, token and all.
      throw new Error(`Network request for 'getMe' failed! (https://api.telegram.org/bot${token}/getMe)`);
    });
    await hub.add('maintenance', { task: 'noop' }, { jobId: 'leaky', attempts: 1 });
    await failed;
    const job = await hub.queue('maintenance').getJob('leaky');
    expect(job?.failedReason).toContain('/bot[REDACTED]/getMe');
    const stored = await hub.redis.hgetall(`${prefix}:maintenance:leaky`);
    expect(stored.stacktrace).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(token.split(':')[1]);
    await events.close();
  });

  it('SIGTERM during a job lets the job finish before the process exits', async () => {
    const childPrefix = testPrefix();
    const child = spawn(
      process.execPath,
      ['-r', 'tsx/cjs', path.join(ROOT, 'test/fixtures/slow-worker.ts')],
      {
        cwd: ROOT,
        env: cleanEnv({ REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: childPrefix, JOB_MS: '1500' }),
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const producer = new QueueHub({ redisUrl: TEST_REDIS_URL, prefix: childPrefix });
    try {
      await waitFor(() => producer.redis.get(`${childPrefix}:ready`), {
        what: 'worker process ready',
        timeoutMs: 20_000,
      });
      const job = await producer.add('maintenance', { task: 'slow' }, { jobId: 'slow-1', attempts: 1 });
      await waitFor(() => producer.redis.get(`${childPrefix}:started:slow-1`), { what: 'job started' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const state = await producer.queue('maintenance').getJobState(job.id!);
      expect(state).toBe('completed');
      const done = await producer.queue('maintenance').getJob(job.id!);
      expect(done?.returnvalue).toEqual({ finishedAt: expect.any(Number) });
    } finally {
      child.kill('SIGKILL');
      await producer.close();
      await deleteKeys(childPrefix);
    }
  });
});
