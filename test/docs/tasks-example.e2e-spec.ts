import { randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import { IDEMPOTENCY_META_KEY } from '@rampart/resilience';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { ExportStore, ExportsModule } from '../../docs/examples/tasks.example';
import { describeWith } from '../services';
import { dropKeys, until } from '../tasks/tasks.fixture';

type Answer = {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
};

const callTool = (client: Client, name: string, args: Record<string, unknown>, key?: string) =>
  client.callTool({
    name,
    arguments: args,
    ...(key && { _meta: { [IDEMPOTENCY_META_KEY]: key } }),
  }) as Promise<Answer>;

const taskIdOf = (a: Answer) => a.structuredContent!.taskId as string;
const errorOf = (a: Answer) =>
  a.isError ? (JSON.parse(a.content[0].text) as { code: string }) : undefined;

/** Polls `get_task_status` until `done` holds. */
const statusUntil = (
  client: Client,
  taskId: string,
  done: (s: Record<string, unknown>) => boolean,
) =>
  until(
    async () => (await callTool(client, 'get_task_status', { taskId })).structuredContent!,
    done,
  );

describe('tasks guide example (memory)', () => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({ imports: [ExportsModule.forRoot({})], transport: 'http' });
  });
  afterAll(() => t.close());

  it('answers a handle at once, one task per idempotency key, and the result through the status tools', async () => {
    const input = { month: '2027-01', format: 'csv', pages: 3, requestId: 'export-jan' };
    const started = await callTool(t.client, 'export_orders', input);
    expect(started.structuredContent).toMatchObject({ status: 'working' });
    const taskId = taskIdOf(started);
    // The same key (here the requestId argument) names the same task.
    expect(taskIdOf(await callTool(t.client, 'export_orders', input))).toBe(taskId);
    await statusUntil(t.client, taskId, (s) => s.status === 'completed');
    const result = await callTool(t.client, 'get_task_result', { taskId });
    expect(JSON.parse(result.content[0].text)).toEqual({ file: 'orders-2027-01.csv', pages: 3 });
    expect(t.app.get(ExportStore).written).toEqual(['orders-2027-01.csv']);
    // Other arguments under the same key: refused, nothing runs.
    const reused = await callTool(t.client, 'export_orders', { ...input, format: 'json' });
    expect(errorOf(reused)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // A key in `_meta` works the same way.
    const feb = { month: '2027-02', format: 'json', pages: 1 };
    const viaMeta = taskIdOf(await callTool(t.client, 'export_orders', feb, 'export-feb'));
    expect(taskIdOf(await callTool(t.client, 'export_orders', feb, 'export-feb'))).toBe(viaMeta);
  });

  it('cancels a running export: the method stops and the compensation is recorded', async () => {
    const store = t.app.get(ExportStore);
    const input = { month: '2027-03', format: 'csv', pages: 100_000, pageMs: 50 };
    const taskId = taskIdOf(await callTool(t.client, 'export_orders', input));
    await until(
      async () => store.started,
      (s) => s.includes('2027-03'),
    );
    const cancelled = await callTool(t.client, 'cancel_task', { taskId });
    expect(cancelled.structuredContent).toMatchObject({ status: 'cancelled' });
    const settled = await statusUntil(
      t.client,
      taskId,
      (s) =>
        s.compensation !== undefined && (s.compensation as { status: string }).status !== 'running',
    );
    expect(settled).toMatchObject({
      status: 'cancelled',
      compensation: { status: 'done', reason: 'cancelled' },
    });
    expect(store.discarded).toEqual(['2027-03:cancelled']);
    const result = await callTool(t.client, 'get_task_result', { taskId });
    expect(errorOf(result)).toMatchObject({ code: 'CANCELLED' });
  });
});

describeWith('redis')('tasks guide example (Redis and BullMQ, two replicas)', () => {
  const env = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    TASKS_RUNNER: 'bullmq',
    TASKS_QUEUE: `docs-tasks-${randomUUID()}`,
    TASKS_KEY_PREFIX: `test:${randomUUID()}:`,
  };
  let a: McpTestApp;
  let b: McpTestApp;

  beforeAll(async () => {
    [a, b] = await Promise.all(
      [0, 1].map(() =>
        createMcpTestApp({ imports: [ExportsModule.forRoot(env)], transport: 'http' }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await dropKeys(`${env.TASKS_KEY_PREFIX}*`, env.REDIS_URL);
    await dropKeys(`bull:${env.TASKS_QUEUE}:*`, env.REDIS_URL);
  });

  it('creates on one replica, runs on a worker, and answers the same key and the result on the other', async () => {
    const input = { month: '2027-04', format: 'json', pages: 2, requestId: 'export-apr' };
    const taskId = taskIdOf(await callTool(a.client, 'export_orders', input));
    expect(taskIdOf(await callTool(b.client, 'export_orders', input))).toBe(taskId);
    await statusUntil(b.client, taskId, (s) => s.status === 'completed');
    const result = await callTool(b.client, 'get_task_result', { taskId });
    expect(JSON.parse(result.content[0].text)).toEqual({ file: 'orders-2027-04.json', pages: 2 });
    const written = [a, b].flatMap((app) => app.app.get(ExportStore).written);
    expect(written).toEqual(['orders-2027-04.json']);
  });
});
