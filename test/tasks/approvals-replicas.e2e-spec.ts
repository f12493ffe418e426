import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BullMqTaskQueue, type TaskQueue } from '@rampart/tasks';
import type { McpTestApp } from '@rampart/testing';
import { describeWith } from '../services';
import { approvals, BOB, runs, startApprovalsApp } from './approvals.fixture';
import { until } from './tasks.fixture';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two replicas sharing Redis (tasks, approvals, a BullMQ queue): replica "a" serves requests
 * only (it queues runs, it runs none), replica "b" also works the queue. An approval granted on
 * "a" runs the call on "b", once, even when the approver's request reaches both replicas at once.
 */
describeWith('redis')('approvals across two replicas (real Redis)', () => {
  const keyPrefix = `test:${randomUUID()}:`;
  const queueName = `approvals-${randomUUID()}`;
  let a: McpTestApp;
  let b: McpTestApp;

  beforeAll(async () => {
    // Replica a only queues on the shared BullMQ queue: it starts no worker.
    const shared = new BullMqTaskQueue({ redis: REDIS_URL, queueName });
    const producerOnly: TaskQueue = {
      durable: true,
      start: () => undefined,
      enqueue: (taskId, runKey) => shared.enqueue(taskId, runKey),
      close: (force) => shared.close(force),
    };
    const storage = { redis: REDIS_URL, keyPrefix };
    [a, b] = await Promise.all([
      startApprovalsApp('a', { tasks: { storage, runner: producerOnly } }),
      startApprovalsApp('b', { tasks: { storage, runner: { bullmq: { queueName } } } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([a?.close().catch(() => undefined), b?.close().catch(() => undefined)]);
    const admin = new Redis(REDIS_URL);
    const keys = [
      ...(await admin.keys(`${keyPrefix}*`)),
      ...(await admin.keys(`bull:${queueName}:*`)),
    ];
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('an approval granted on replica a runs the call on replica b, exactly once', async () => {
    const scope = `replicas-${randomUUID()}`;
    const called = await a.client.callTool({ name: 'purge', arguments: { scope } });
    const handle = called.structuredContent as { taskId: string; approvalId: string };
    // The approval, stored in Redis, is listed on either replica.
    const onB = await approvals(b, 'GET', `/${handle.approvalId}`, BOB);
    expect(onB).toMatchObject({ status: 200, body: { approval: { status: 'pending' } } });

    // The approver's request reaches both replicas at once (a retry, a double click): one wins.
    const [fromA, fromB] = await Promise.all([
      approvals(a, 'POST', `/${handle.approvalId}/approve`, BOB),
      approvals(b, 'POST', `/${handle.approvalId}/approve`, BOB),
    ]);
    expect([fromA.status, fromB.status].sort((x, y) => x - y)).toEqual([200, 409]);
    expect([fromA, fromB].find((r) => r.status === 409)?.body.reason).toBe('replayed');

    const status = (app: McpTestApp) =>
      app.client
        .callTool({ name: 'get_task_status', arguments: { taskId: handle.taskId } })
        .then((r) => r.structuredContent as { status: string });
    await until(
      () => status(a),
      (s) => s.status === 'completed',
    );
    const result = await a.client.callTool({
      name: 'get_task_result',
      arguments: { taskId: handle.taskId },
    });
    expect(result.content).toEqual([{ type: 'text', text: `purged ${scope} for alice on b` }]);
    expect(runs.filter((r) => r.args.scope === scope)).toEqual([
      { replica: 'b', tool: 'purge', args: { scope } },
    ]);
    const view = await approvals(a, 'GET', `/${handle.approvalId}`, BOB);
    expect(view.body.approval.status).toBe('used');
  });

  it('an approval expires on the replicas alike: neither runs the call after it', async () => {
    const scope = `expiry-${randomUUID()}`;
    const called = await b.client.callTool({ name: 'purge_soon', arguments: { scope } });
    const handle = called.structuredContent as { taskId: string; approvalId: string };
    const ended = await until(
      () => a.client.callTool({ name: 'get_task_result', arguments: { taskId: handle.taskId } }),
      (r) => r.isError === true,
    );
    expect(JSON.parse((ended.content as { text: string }[])[0].text)).toMatchObject({
      code: 'APPROVAL_EXPIRED',
    });
    const late = await approvals(a, 'POST', `/${handle.approvalId}/approve`, BOB);
    expect(late).toMatchObject({ status: 410, body: { reason: 'expired' } });
    expect(runs.filter((r) => r.args.scope === scope)).toHaveLength(0);
  });
});
