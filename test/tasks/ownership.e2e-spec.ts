import type { McpTestApp } from '@rampart/testing';
import { rpc, startReplica, TasksWireClient, until } from './tasks.fixture';

/** Only the identity that created a task (or an admin of its tenant) sees it, in every form. */
describe('task ownership, handles and 2025-11-25 tasks (memory store)', () => {
  let app: McpTestApp;
  const alice = { 'x-user': 'alice', 'x-tenant': 't1' };
  const mallory = { 'x-user': 'mallory', 'x-tenant': 't1' };
  const admin = { 'x-user': 'root', 'x-tenant': 't1', 'x-scopes': 'tasks:admin' };
  const otherAdmin = { 'x-user': 'root', 'x-tenant': 't2', 'x-scopes': 'tasks:admin' };

  beforeAll(async () => {
    app = await startReplica('solo', { handles: true });
  });
  afterAll(() => app.close());

  const as = (headers: Record<string, string>) => new TasksWireClient(app.url!, headers);
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'answered',
      (e: { code: number; message: string }) => e,
    );

  it('answers another identity the same not-found as an unknown id', async () => {
    const { taskId } = (await as(alice).request('tools/call', {
      name: 'book',
      arguments: { id: 'o1' },
    })) as {
      taskId: string;
    };
    const unknown = await refusal(as(mallory).request('tasks/get', { taskId: 'no-such-task' }));
    for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update'])
      expect(await refusal(as(mallory).request(method, { taskId, inputResponses: {} }))).toEqual(
        unknown,
      );
    expect(await refusal(as(otherAdmin).request('tasks/get', { taskId }))).toEqual(unknown);
    expect(await as(admin).request('tasks/get', { taskId })).toMatchObject({
      taskId,
      status: 'working',
    });
    await as(alice).request('tasks/cancel', { taskId });
    expect(await as(alice).request('tasks/get', { taskId })).toMatchObject({ status: 'cancelled' });
  });

  it('gives a client without the extension a handle, served by the status tools for its owner only', async () => {
    // A 2026-07-28 client that does not declare the tasks extension.
    const plain = new TasksWireClient(app.url!, alice, {});
    const call = (c: TasksWireClient, name: string, args: object) =>
      c.request('tools/call', { name, arguments: args }) as Promise<{
        content: { text: string }[];
        structuredContent?: { taskId: string; status: string };
        isError?: boolean;
        resultType?: string;
      }>;
    const started = await call(plain, 'quick', { id: 'h1' });
    expect(started.resultType).toBe('complete');
    const taskId = started.structuredContent!.taskId;
    expect(taskId).toEqual(expect.any(String));
    const done = await until(
      () => call(plain, 'get_task_status', { taskId }),
      (r) => r.structuredContent?.status === 'completed',
    );
    expect(done.isError).toBeFalsy();
    const result = await call(plain, 'get_task_result', { taskId });
    expect(result.content).toEqual([{ type: 'text', text: 'quick h1' }]);
    const other = new TasksWireClient(app.url!, mallory, {});
    for (const name of ['get_task_status', 'get_task_result', 'cancel_task']) {
      const refused = await call(other, name, { taskId });
      expect(refused.isError).toBe(true);
      expect(refused.content[0].text).toContain('TASK_NOT_FOUND');
    }
  });

  it('serves 2025-11-25 task-augmented calls, tasks/get, tasks/list, tasks/result and tasks/cancel', async () => {
    const legacy = await startReplica(
      'legacy',
      {},
      { era: 'legacy', headers: alice, capabilities: { elicitation: {} } },
    );
    try {
      const tools = await legacy.client.listTools();
      expect(tools.tools.find((t) => t.name === 'book')).toMatchObject({
        execution: { taskSupport: 'optional' },
      });
      const created = await rpc(legacy.client, 'tools/call', {
        name: 'confirm',
        arguments: { id: 'l1' },
        task: { ttl: 60_000 },
      });
      const task = created.task as { taskId: string; status: string; ttl: number };
      expect(task).toMatchObject({ status: 'working', ttl: 60_000 });
      expect(await rpc(legacy.client, 'tasks/get', { taskId: task.taskId })).toMatchObject({
        taskId: task.taskId,
      });
      const list = await rpc(legacy.client, 'tasks/list', {});
      expect((list.tasks as { taskId: string }[]).map((t) => t.taskId)).toContain(task.taskId);
      // The task asks to confirm: tasks/result carries the question to the client, then the result.
      legacy.client.setRequestHandler('elicitation/create', () => ({
        action: 'accept',
        content: {},
      }));
      const result = await rpc(legacy.client, 'tasks/result', { taskId: task.taskId });
      expect(result).toMatchObject({
        content: [{ type: 'text', text: 'accept l1 on legacy' }],
        _meta: { 'io.modelcontextprotocol/related-task': { taskId: task.taskId } },
      });
      await expect(
        rpc(legacy.client, 'tasks/cancel', { taskId: task.taskId }),
      ).rejects.toMatchObject({
        code: -32602,
      });
    } finally {
      await legacy.close();
    }
  });
});
