import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisClientLike } from '@rampart/core';
import { BullMqTaskQueue, RedisTaskStore, type TaskRecord } from '@rampart/tasks';
import type { McpTestApp } from '@rampart/testing';
import { describeWith } from '../services';
import { AppProcess } from '../web-scrape/app-process';
import { dropKeys, startReplica, TasksWireClient, until } from './tasks.fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LEASE_MS = 500;

/** A BullMQ queue this instance only adds to: its tasks run on other processes' workers. */
class ProducerOnlyQueue extends BullMqTaskQueue {
  override start(): void {}
}

/**
 * Tasks whose worker is lost, on BullMQ workers and the real Redis: a worker process killed
 * (SIGKILL, no shutdown) mid-task, and a queued task whose job is lost before any worker took
 * it. Each ends retried or failed as its `attempts` say, never left `working`.
 */
describeWith('redis')('lost workers and jobs on BullMQ (real Redis)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  const queueName = `tasks-lost-${randomUUID()}`;
  const storage = { redis: REDIS_URL, keyPrefix };
  const apps: McpTestApp[] = [];
  const children: AppProcess[] = [];
  let redis: Redis;
  let store: RedisTaskStore;
  let producer: McpTestApp;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    store = new RedisTaskStore(redis as unknown as RedisClientLike, { keyPrefix });
    // The instance clients talk to: it queues tasks; workers elsewhere run them.
    producer = await startReplica('p', {
      storage,
      runner: new ProducerOnlyQueue({ redis: REDIS_URL, queueName }),
      leaseMs: LEASE_MS,
    });
    apps.push(producer);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exit));
    await Promise.all(apps.map((a) => a.close()));
    await redis.quit();
    await dropKeys(`${keyPrefix}*`);
    await dropKeys(`bull:${queueName}:*`);
  });

  const wire = () => new TasksWireClient(producer.url!, { 'x-user': 'alice', 'x-tenant': 't1' });
  const call = (name: string, id: string) =>
    wire().request('tools/call', { name, arguments: { id } }) as Promise<{ taskId: string }>;
  const get = (taskId: string) => wire().request('tasks/get', { taskId });

  /** A worker instance in this process (its tools answer at once). */
  const startWorker = async (name: string) => {
    const app = await startReplica(name, {
      storage,
      runner: { bullmq: { queueName } },
      leaseMs: LEASE_MS,
    });
    apps.push(app);
    return app;
  };

  it('queues a task again when its job is lost before a worker took it', async () => {
    // No worker runs yet: the job waits in BullMQ, the task holds a queued lease.
    const { taskId } = await call('quick', 'lost-1');
    const queued = (await store.get(taskId))!;
    expect(queued.lease?.worker).toMatch(/^queue:/);
    // The job is lost (a Redis failover that dropped it, a queue emptied by hand).
    await dropKeys(`bull:${queueName}:*`);
    await startWorker('w1');
    // Once the queued lease ends, a sweep queues the task again and the worker runs it.
    const done = await until(
      () => get(taskId),
      (t) => t.status !== 'working',
      30_000,
    );
    expect(done).toMatchObject({
      status: 'completed',
      result: { content: [{ type: 'text', text: 'quick lost-1' }] },
    });
  }, 40_000);

  it('retries or fails the tasks of a worker killed mid-task, never leaves them working', async () => {
    // Only the worker process runs jobs now.
    await Promise.all(apps.splice(1).map((a) => a.close()));
    const child = new AppProcess(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        join(__dirname, 'worker-process.ts'),
        REDIS_URL,
        keyPrefix,
        queueName,
        String(LEASE_MS),
      ],
      { ...(process.env as Record<string, string>), TS_NODE_COMPILER_OPTIONS: '{"rootDir":"."}' },
    );
    children.push(child);
    await child.waitFor('stdout', /worker ready/, 60_000);
    // `fragile` may run twice, `once` once; both hang in the worker process.
    const fragile = await call('fragile', 'f1');
    const once = await call('once', 'o1');
    const heldBy = (t: TaskRecord | undefined) => t?.lease?.worker.includes(`:${child.pid}:`);
    for (const { taskId } of [fragile, once])
      await until(
        () => store.get(taskId),
        (t) => !!heldBy(t) && t!.attempts === 1,
      );
    child.kill('SIGKILL');
    expect((await child.exit).signal).toBe('SIGKILL');
    // The lease the dead worker held runs out; a sweep (the producer's or the new worker's)
    // queues `fragile` again, and a worker in this process runs it.
    await startWorker('w2');
    const retried = await until(
      () => get(fragile.taskId),
      (t) => t.status !== 'working',
      30_000,
    );
    expect(retried).toMatchObject({
      status: 'completed',
      result: { content: [{ type: 'text', text: 'fragile f1 done on w2' }] },
    });
    const failed = await until(
      () => get(once.taskId),
      (t) => t.status !== 'working',
      30_000,
    );
    expect(failed).toMatchObject({ status: 'failed', error: { code: -32603 } });
    expect((failed.error as { message: string }).message).toMatch(
      /worker running the task stopped/,
    );
    expect((await store.get(fragile.taskId))!.attempts).toBe(2);
  }, 120_000);
});
