import { ApprovalStore, TasksService, argumentsHash, type ApprovalRecord } from '@rampart/tasks';
import type { McpTestApp } from '@rampart/testing';
import { until } from './tasks.fixture';
import {
  approvals,
  BOB,
  CapturingSink,
  runs,
  startApprovalsApp,
  startReceiver,
} from './approvals.fixture';

type Handle = { taskId: string; approvalId: string; status: string };

/**
 * Trusted approvals, end to end with the SDK client (a client without the tasks extension, so
 * each call that needs an approval answers a handle): the call waits, an approver decides on the
 * approval endpoints, and every attempt the approvals exist to stop is refused.
 */
describe.each(['express', 'fastify'] as const)('approvals (%s)', (adapter) => {
  let t: McpTestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const sink = new CapturingSink();

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startApprovalsApp('a', { webhook: receiver.url, sink, adapter });
  });

  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  const call = async (name: string, args: Record<string, unknown>): Promise<Handle> => {
    const result = await t.client.callTool({ name, arguments: args });
    expect(result.isError).toBeFalsy();
    return result.structuredContent as unknown as Handle;
  };
  const status = async (taskId: string) =>
    (await t.client.callTool({ name: 'get_task_status', arguments: { taskId } }))
      .structuredContent as Record<string, unknown>;
  const result = (taskId: string) =>
    t.client.callTool({ name: 'get_task_result', arguments: { taskId } });
  const store = () => t.app.get<symbol, ApprovalStore>(ApprovalStore, { strict: false });
  const runsOf = (scope: string) => runs.filter((r) => r.args.scope === scope);

  it('holds the call, notifies the approvers, and runs it once approved by another identity', async () => {
    const scope = `ok-${adapter}`;
    const handle = await call('purge', { scope });
    expect(handle).toMatchObject({ status: 'working' });
    expect(handle.approvalId).toEqual(expect.any(String));
    expect(await status(handle.taskId)).toMatchObject({
      status: 'working',
      awaitingApproval: true,
    });
    // The webhook receiver is told, with the hash of the arguments, never their values.
    const notice = await until(
      async () => receiver.bodies.find((b) => b.approvalId === handle.approvalId),
      (b) => b !== undefined,
    );
    expect(notice).toMatchObject({
      type: 'approval.requested',
      tool: 'purge',
      taskId: handle.taskId,
      caller: { subject: 'alice', tenant: 't1' },
      approvers: 'pages:approve',
      argumentsHash: argumentsHash({ scope }),
      path: `/rampart/approvals/${handle.approvalId}`,
    });
    expect(JSON.stringify(notice)).not.toContain(scope);
    // Bob sees it, with the arguments he is asked to approve; alice does not see her own.
    const listed = await approvals(t, 'GET', '', BOB);
    expect(listed.status).toBe(200);
    const mine = listed.body.approvals.find(
      (a: { approvalId: string }) => a.approvalId === handle.approvalId,
    );
    expect(mine).toMatchObject({ arguments: { scope }, argumentsHash: argumentsHash({ scope }) });
    const own = await approvals(t, 'GET', '', {
      user: 'alice',
      tenant: 't1',
      scopes: 'pages:approve',
    });
    expect(
      own.body.approvals.some((a: { approvalId: string }) => a.approvalId === handle.approvalId),
    ).toBe(false);
    expect(runsOf(scope)).toHaveLength(0);

    const approved = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB, {
      argumentsHash: mine.argumentsHash,
      comment: 'ticket 42',
    });
    expect(approved).toMatchObject({
      status: 200,
      body: { approval: { status: 'approved', decidedBy: { subject: 'bob', tenant: 't1' } } },
    });
    await until(
      () => status(handle.taskId),
      (s) => s.status === 'completed',
    );
    const done = await result(handle.taskId);
    expect(done.content).toEqual([{ type: 'text', text: `purged ${scope} for alice on a` }]);
    expect(runsOf(scope)).toHaveLength(1);
    expect((await store().get(handle.approvalId))?.status).toBe('used');
  });

  it('refuses the caller approving its own call (alice holds the scope too)', async () => {
    const scope = `self-${adapter}`;
    const handle = await call('purge', { scope });
    const self = await approvals(t, 'POST', `/${handle.approvalId}/approve`, {
      user: 'alice',
      tenant: 't1',
      scopes: 'pages:approve',
    });
    expect(self).toMatchObject({ status: 403, body: { reason: 'self-approval' } });
    expect(await status(handle.taskId)).toMatchObject({ awaitingApproval: true });
    expect(runsOf(scope)).toHaveLength(0);
  });

  it('refuses an approver without the scope, and hides the approval from another tenant', async () => {
    const handle = await call('purge', { scope: `scope-${adapter}` });
    const carol = await approvals(t, 'POST', `/${handle.approvalId}/approve`, {
      user: 'carol',
      tenant: 't1',
      scopes: 'ops:approve',
    });
    expect(carol).toMatchObject({ status: 403, body: { reason: 'insufficient-scope' } });
    const other = await approvals(t, 'POST', `/${handle.approvalId}/approve`, {
      user: 'dave',
      tenant: 't2',
      scopes: 'pages:approve',
    });
    expect(other).toMatchObject({ status: 404, body: { reason: 'not-found' } });
    const nobody = await fetch(new URL(`/rampart/approvals/${handle.approvalId}/approve`, t.url), {
      method: 'POST',
    });
    expect(nobody.status).toBe(401);
    expect(await status(handle.taskId)).toMatchObject({ awaitingApproval: true });
  });

  it('refuses changed arguments: what the approver saw, and the call altered in the store', async () => {
    const scope = `args-${adapter}`;
    const handle = await call('purge', { scope });
    // The approver approves what they were shown: other arguments than the call's are refused.
    const seen = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB, {
      argumentsHash: argumentsHash({ scope: 'something-harmless' }),
    });
    expect(seen).toMatchObject({ status: 409, body: { reason: 'arguments-changed' } });
    // Someone with write access to the task store widens the call after it was asked for.
    const tasks = t.app.get(TasksService, { strict: false });
    await tasks.store.update(handle.taskId, (task) => ({
      ...task,
      arguments: { scope: 'everything' },
    }));
    const altered = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB);
    expect(altered).toMatchObject({ status: 409, body: { reason: 'arguments-changed' } });
    expect(runs.filter((r) => r.args.scope === 'everything')).toHaveLength(0);
    expect(runsOf(scope)).toHaveLength(0);
  });

  it('refuses a replayed approval: the second approve is refused and the call ran once', async () => {
    const scope = `replay-${adapter}`;
    const handle = await call('purge', { scope });
    const first = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB);
    expect(first.status).toBe(200);
    const again = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB);
    expect(again).toMatchObject({ status: 409, body: { reason: 'replayed' } });
    await until(
      () => status(handle.taskId),
      (s) => s.status === 'completed',
    );
    // Replaying the run itself: the task put back to working and queued again.
    const tasks = t.app.get(TasksService, { strict: false });
    await tasks.store.update(handle.taskId, (task) => ({
      ...task,
      status: 'working',
      result: undefined,
      attempts: 0,
    }));
    await tasks.queue.enqueue(handle.taskId);
    const replayed = await until(
      () => result(handle.taskId),
      (r) => r.isError === true,
    );
    expect(JSON.parse((replayed.content as { text: string }[])[0].text)).toMatchObject({
      code: 'APPROVAL_INVALID',
      details: { reason: 'replayed' },
    });
    expect(runsOf(scope)).toHaveLength(1);
  });

  it('expires an approval nobody gave: the call ends, and a late approval is refused', async () => {
    const scope = `late-${adapter}`;
    const handle = await call('purge_soon', { scope });
    await until(
      () => status(handle.taskId),
      (s) => s.status === 'completed',
    );
    const ended = await result(handle.taskId);
    expect(ended.isError).toBe(true);
    expect(JSON.parse((ended.content as { text: string }[])[0].text)).toMatchObject({
      code: 'APPROVAL_EXPIRED',
    });
    const late = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB);
    expect(late).toMatchObject({ status: 410, body: { reason: 'expired' } });
    expect(runsOf(scope)).toHaveLength(0);
  });

  it('refuses a forged record: fields changed without the key, or an approval written into the store', async () => {
    const scope = `forged-${adapter}`;
    const handle = await call('purge', { scope });
    const stored = (await store().get(handle.approvalId))!;
    // Carol holds ops:approve only: someone lowers the approval's scope to hers in the store.
    const lowered: ApprovalRecord = { ...stored, approvers: 'ops:approve' };
    expect(await store().transition(stored.approvalId, ['pending'], lowered)).toBe(true);
    const carol = await approvals(t, 'POST', `/${handle.approvalId}/approve`, {
      user: 'carol',
      tenant: 't1',
      scopes: 'ops:approve',
    });
    expect(carol).toMatchObject({ status: 403, body: { reason: 'invalid-signature' } });

    // Someone marks it approved in the store (no decision signature) and lets the task run.
    const approved: ApprovalRecord = {
      ...stored,
      status: 'approved',
      decidedBy: { subject: 'mallory', tenant: 't1' },
      decidedAt: Date.now(),
      decisionKid: 'k2',
      decisionSignature: 'forged',
    };
    expect(await store().transition(stored.approvalId, ['pending'], approved)).toBe(true);
    const tasks = t.app.get(TasksService, { strict: false });
    await tasks.release(handle.taskId, 'released by hand');
    const refused = await until(
      () => result(handle.taskId),
      (r) => r.isError === true,
    );
    expect(JSON.parse((refused.content as { text: string }[])[0].text)).toMatchObject({
      code: 'APPROVAL_INVALID',
      details: { reason: 'invalid-signature' },
    });
    expect(runsOf(scope)).toHaveLength(0);
  });

  it('denies: the call ends with APPROVAL_DENIED and never runs', async () => {
    const scope = `deny-${adapter}`;
    const handle = await call('purge', { scope });
    const denied = await approvals(t, 'POST', `/${handle.approvalId}/deny`, BOB, {
      comment: 'not during the sale',
    });
    expect(denied).toMatchObject({ status: 200, body: { approval: { status: 'denied' } } });
    const ended = await result(handle.taskId);
    expect(JSON.parse((ended.content as { text: string }[])[0].text)).toMatchObject({
      code: 'APPROVAL_DENIED',
      message: 'The call was denied by bob: not during the sale',
    });
    expect(runsOf(scope)).toHaveLength(0);
  });

  it('holds destructive tools by the module default, and leaves read-only tools alone', async () => {
    const handle = await call('wipe', { scope: `wipe-${adapter}` });
    expect(handle.approvalId).toEqual(expect.any(String));
    const needsOps = await approvals(t, 'GET', `/${handle.approvalId}`, {
      user: 'erin',
      tenant: 't1',
      scopes: 'pages:approve',
    });
    expect(needsOps).toMatchObject({ status: 403, body: { reason: 'insufficient-scope' } });
    const look = await t.client.callTool({ name: 'look', arguments: {} });
    expect(look.content).toEqual([{ type: 'text', text: 'nothing needs approving here' }]);
  });

  it('refuses to decide a call cancelled while it waited (409 task-over); cancel_task is never held', async () => {
    const scope = `cancelled-${adapter}`;
    // Held by the module's default for destructive tools, which cancel_task is annotated too.
    const handle = await call('wipe', { scope });
    const cancelled = await t.client.callTool({
      name: 'cancel_task',
      arguments: { taskId: handle.taskId },
    });
    // Cancelled at once: not a new task of its own waiting for an approval.
    expect(cancelled.isError).toBeFalsy();
    expect(cancelled.structuredContent).toMatchObject({
      taskId: handle.taskId,
      tool: 'wipe',
      status: 'cancelled',
    });
    expect(await status(handle.taskId)).toMatchObject({ status: 'cancelled' });
    // Nothing is left to decide: not listed, and approving or denying it is a conflict.
    const listed = await approvals(t, 'GET', '', BOB);
    expect(
      listed.body.approvals.some((a: { approvalId: string }) => a.approvalId === handle.approvalId),
    ).toBe(false);
    const approve = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB);
    expect(approve).toMatchObject({
      status: 409,
      body: {
        error: 'conflict',
        reason: 'task-over',
        message: expect.stringMatching(/^The task is over: the call was cancelled/),
      },
    });
    const deny = await approvals(t, 'POST', `/${handle.approvalId}/deny`, BOB);
    expect(deny).toMatchObject({ status: 409, body: { reason: 'task-over' } });
    expect((await store().get(handle.approvalId))?.status).toBe('pending');
    expect(await status(handle.taskId)).toMatchObject({ status: 'cancelled' });
    expect(runsOf(scope)).toHaveLength(0);
  });

  it('answers bad requests with structured errors', async () => {
    const handle = await call('purge', { scope: `bad-${adapter}` });
    const unknownField = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB, {
      hash: 'x',
    });
    expect(unknownField).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const notObject = await approvals(t, 'POST', `/${handle.approvalId}/approve`, BOB, [1]);
    expect(notObject.status).toBe(400);
    const action = await approvals(t, 'POST', `/${handle.approvalId}/maybe`, BOB);
    expect(action.status).toBe(404);
    const unknown = await approvals(t, 'POST', '/no-such-approval/approve', BOB);
    expect(unknown).toMatchObject({ status: 404, body: { reason: 'not-found' } });
  });

  it('audits and counts every request, decision, expiry and refusal', async () => {
    const methods = new Set(sink.records.map((r) => r.method));
    for (const m of [
      'approval/requested',
      'approval/approved',
      'approval/denied',
      'approval/expired',
      'approval/refused',
    ])
      expect(methods).toContain(m);
    const self = sink.records.find((r) => r.reason === 'self-approval');
    expect(self).toMatchObject({
      method: 'approval/refused',
      target: 'purge',
      subject: 'alice',
      tenant: 't1',
      decision: 'denied',
      outcome: 'error',
      approval: { caller: 'alice' },
    });
    const metrics = await (await fetch(new URL('/metrics', t.url))).text();
    const count = (outcome: string, reason: string) =>
      Number(
        new RegExp(
          `rampart_approvals_total\\{server="approvals-e2e",outcome="${outcome}",reason="${reason}"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(count('requested', 'none')).toBeGreaterThanOrEqual(8);
    expect(count('approved', 'none')).toBe(2);
    expect(count('denied', 'none')).toBe(1);
    expect(count('expired', 'ttl')).toBe(1);
    expect(count('refused', 'self-approval')).toBe(1);
    expect(count('refused', 'arguments-changed')).toBe(2);
    expect(count('refused', 'replayed')).toBe(2);
    expect(count('refused', 'invalid-signature')).toBe(2);
    expect(count('refused', 'insufficient-scope')).toBe(2);
    expect(count('refused', 'task-over')).toBe(2);
  });
});
