import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { McpTestApp } from '@rampart/testing';
import { describeWith } from '../services';
import { journal, startReplica, TasksWireClient, until } from './tasks.fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two replicas of a server sharing one Redis task store, each running tasks in process: a task
 * created on one is read, answered, cancelled and completed through the other, and a task whose
 * replica stops is run again (or failed) by the other, never left `working`.
 */
describeWith('redis')('tasks across two replicas (real Redis)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  let a: McpTestApp;
  let b: McpTestApp;

  beforeAll(async () => {
    const tasks = { storage: { redis: REDIS_URL, keyPrefix }, leaseMs: 300 };
    [a, b] = await Promise.all([startReplica('a', tasks), startReplica('b', tasks)]);
  });

  afterAll(async () => {
    await Promise.all([a?.close().catch(() => undefined), b?.close()]);
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  const wire = (app: McpTestApp) =>
    new TasksWireClient(app.url!, { 'x-user': 'alice', 'x-tenant': 't1' });
  const get = (app: McpTestApp, taskId: string) => wire(app).request('tasks/get', { taskId });
  const call = (app: McpTestApp, name: string, id: string) =>
    wire(app).request('tools/call', { name, arguments: { id } });

  it('creates on one replica and reads, answers and completes through the other', async () => {
    const created = await call(a, 'confirm', 'c1');
    expect(created).toMatchObject({ resultType: 'task', status: 'working' });
    const taskId = created.taskId as string;
    // Durable on create: the other replica finds it at once.
    expect(await get(b, taskId)).toMatchObject({ taskId });
    const parked = await until(
      () => get(b, taskId),
      (t) => t.status === 'input_required',
    );
    expect(parked.inputRequests).toMatchObject({ ok: { method: 'elicitation/create' } });
    await expect(
      wire(b).request('tasks/update', {
        taskId,
        inputResponses: { ok: { action: 'accept', content: {} } },
      }),
    ).resolves.toMatchObject({});
    const done = await until(
      () => get(a, taskId),
      (t) => t.status === 'completed',
    );
    // Resumed on the replica that took the answer.
    expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'accept c1 on b' }] });
  });

  it('cancels through the other replica: the run on the first stops and compensates', async () => {
    const created = (await call(a, 'book', 'k1')) as { taskId: string };
    await until(
      async () => journal,
      (j) => j.some((e) => e.event === 'booked' && e.taskArg === 'k1'),
    );
    await expect(
      wire(b).request('tasks/cancel', { taskId: created.taskId }),
    ).resolves.toBeDefined();
    expect(await get(a, created.taskId)).toMatchObject({ status: 'cancelled' });
    // Replica a's run sees the cancellation through its heartbeat, stops, and compensates.
    await until(
      async () => journal,
      (j) => j.some((e) => e.event === 'unbooked:cancelled' && e.taskArg === 'k1'),
    );
    expect(journal.find((e) => e.event === 'unbooked:cancelled')?.replica).toBe('a');
  });

  it('runs a task again on the other replica when its replica stops, or fails it, never stuck', async () => {
    const fragile = (await call(a, 'fragile', 'f1')) as { taskId: string };
    const once = (await call(a, 'once', 'o1')) as { taskId: string };
    // Both run (and hang) on a.
    await until(
      () => get(b, once.taskId),
      (t) => t.status === 'working',
    );
    await a.close();
    const retried = await until(
      () => get(b, fragile.taskId),
      (t) => t.status !== 'working',
    );
    expect(retried).toMatchObject({
      status: 'completed',
      result: { content: [{ type: 'text', text: 'fragile f1 done on b' }] },
    });
    const failed = await until(
      () => get(b, once.taskId),
      (t) => t.status !== 'working',
    );
    expect(failed).toMatchObject({ status: 'failed', error: { code: -32603 } });
  }, 30_000);
});
