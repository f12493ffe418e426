import { randomUUID } from 'node:crypto';
import type { McpTestApp } from '@rampart/testing';
import { describeWith } from '../services';
import { dropKeys, journal, startReplica, TasksWireClient, until } from './tasks.fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two app instances with `runner: 'bullmq'` on the real Redis, one queue and one task store: a
 * task created through one is taken from the queue by a worker and read, answered and cancelled
 * through the other.
 */
describeWith('redis')('tasks on BullMQ workers across two instances (real Redis)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  const queueName = `tasks-e2e-${randomUUID()}`;
  let x: McpTestApp;
  let y: McpTestApp;

  beforeAll(async () => {
    const tasks = {
      storage: { redis: REDIS_URL, keyPrefix },
      runner: { bullmq: { queueName } },
      leaseMs: 1_000,
    };
    [x, y] = await Promise.all([startReplica('x', tasks), startReplica('y', tasks)]);
  });

  afterAll(async () => {
    await Promise.all([x?.close(), y?.close()]);
    await dropKeys(`${keyPrefix}*`);
    await dropKeys(`bull:${queueName}:*`);
  });

  const wire = (app: McpTestApp) =>
    new TasksWireClient(app.url!, { 'x-user': 'alice', 'x-tenant': 't1' });
  const get = (app: McpTestApp, taskId: string) => wire(app).request('tasks/get', { taskId });
  const call = (app: McpTestApp, name: string, id: string) =>
    wire(app).request('tools/call', { name, arguments: { id } }) as Promise<{
      resultType: string;
      taskId: string;
      status: string;
    }>;

  it('runs a task created on one instance on a worker, and answers it through the other', async () => {
    const created = await call(x, 'quick', 'q1');
    expect(created).toMatchObject({ resultType: 'task', status: 'working' });
    // Stored before the answer: the other instance finds it at once.
    expect(await get(y, created.taskId)).toMatchObject({ taskId: created.taskId });
    const done = await until(
      () => get(y, created.taskId),
      (t) => t.status === 'completed',
    );
    expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'quick q1' }] });
    // Many tasks spread over both workers, each run once.
    const many = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call(i % 2 ? x : y, 'confirm', `m${i}`)),
    );
    const parked = await Promise.all(
      many.map((t) =>
        until(
          () => get(x, t.taskId),
          (r) => r.status === 'input_required',
        ),
      ),
    );
    expect(parked).toHaveLength(8);
    for (const [i, t] of many.entries())
      await wire(i % 2 ? y : x).request('tasks/update', {
        taskId: t.taskId,
        inputResponses: { ok: { action: 'accept', content: {} } },
      });
    const finished = await Promise.all(
      many.map((t) =>
        until(
          () => get(y, t.taskId),
          (r) => r.status === 'completed',
        ),
      ),
    );
    const texts = finished.map(
      (t) => (t.result as { content: { text: string }[] }).content[0].text,
    );
    for (const [i, text] of texts.entries())
      expect(text).toMatch(new RegExp(`^accept m${i} on [xy]$`));
  }, 30_000);

  it('cancels through the other instance: the worker running it stops and compensates', async () => {
    const created = await call(x, 'book', 'bq1');
    await until(
      async () => journal,
      (j) => j.some((e) => e.event === 'booked' && e.taskArg === 'bq1'),
    );
    const runner = journal.find((e) => e.event === 'booked' && e.taskArg === 'bq1')!.replica;
    // Cancelled through the instance that did not take it.
    const other = runner === 'x' ? y : x;
    await expect(
      wire(other).request('tasks/cancel', { taskId: created.taskId }),
    ).resolves.toBeDefined();
    expect(await get(x, created.taskId)).toMatchObject({ status: 'cancelled' });
    await until(
      async () => journal,
      (j) => j.some((e) => e.event === 'unbooked:cancelled' && e.taskArg === 'bq1'),
    );
    expect(journal.filter((e) => e.event === 'unbooked:cancelled' && e.taskArg === 'bq1')).toEqual([
      { replica: runner, event: 'unbooked:cancelled', taskArg: 'bq1' },
    ]);
  });
});
