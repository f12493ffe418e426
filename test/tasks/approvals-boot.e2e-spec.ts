import { Injectable } from '@nestjs/common';
import { Args, Ctx, McpContext, McpModule, Tool, ToolError } from '@rampart/core';
import { argumentsHash, Compensate, RequiresApproval, TasksModule } from '@rampart/tasks';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { approvals, BOB, KEYS } from './approvals.fixture';
import { identify, until } from './tasks.fixture';

/**
 * Where nothing would hold the calls of a `@RequiresApproval()` tool, they never run unapproved:
 * the app refuses to start (TasksModule present but not serving the tool), or the method itself
 * refuses every call that is not an approved run (no TasksModule at all, or a direct call).
 */

const runs: string[] = [];

@Injectable()
class OtherServerTools {
  // The attack this stops: TasksModule serves `front` only, so before the check a call to
  // `drop_all` on `back` ran at once, with no approval, while its decorator said it needed one.
  @Tool({ name: 'drop_all', server: 'back' })
  @RequiresApproval({ approvers: 'db:approve' })
  dropAll() {
    runs.push('drop_all');
    return 'dropped';
  }
}

@Injectable()
class SameServerTools {
  @Tool({ name: 'drop_all', server: 'front' })
  @RequiresApproval({ approvers: 'db:approve' })
  dropAll() {
    runs.push('drop_all');
    return 'dropped';
  }
}

/** `@RequiresApproval()` above `@Tool()` and `@Compensate()`: the metadata below it is kept. */
@Injectable()
class ReversedTools {
  readonly seen: string[] = [];

  @RequiresApproval({ approvers: 'db:approve' })
  @Tool({
    name: 'drop_table',
    input: { type: 'object', properties: { table: { type: 'string' } }, required: ['table'] },
  })
  @Compensate('restore')
  dropTable(@Args() args: { table: string }, @Ctx() ctx: McpContext) {
    this.seen.push(`${args.table} by ${ctx.identity?.subject}`);
    return `dropped ${args.table}`;
  }

  restore() {
    return undefined;
  }
}

const servers = [
  McpModule.forRoot({ name: 'front', version: '1.0.0' }),
  McpModule.forRoot({ name: 'back', version: '1.0.0' }),
];

describe('@RequiresApproval() at boot', () => {
  let app: McpTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('refuses a tool needing an approval on a server TasksModule does not serve', async () => {
    await expect(
      createMcpTestApp({
        imports: [...servers, TasksModule.forRoot({ server: 'front', approvals: { keys: KEYS } })],
        providers: [OtherServerTools],
        server: 'back',
      }).then((a) => (app = a)),
    ).rejects.toThrow(
      /Tool drop_all of server back needs an approval \(@RequiresApproval\(\)\), and TasksModule serves only server front/,
    );
    expect(runs).toEqual([]);
  });

  it('refuses a tool needing an approval when TasksModule has no approval keys', async () => {
    await expect(
      createMcpTestApp({
        imports: [...servers, TasksModule.forRoot({})],
        providers: [SameServerTools],
        server: 'front',
      }).then((a) => (app = a)),
    ).rejects.toThrow(/Tool drop_all needs an approval .*approvals: \{ keys \}/);
  });

  it('holds the call when TasksModule serves the tool’s server', async () => {
    app = await createMcpTestApp({
      imports: [...servers, TasksModule.forRoot({ server: 'front', approvals: { keys: KEYS } })],
      providers: [SameServerTools],
      server: 'front',
    });
    const result = await app.client.callTool({ name: 'drop_all', arguments: {} });
    expect(runs).toEqual([]);
    expect(JSON.stringify(result)).toMatch(/approval/i);
  });

  it('refuses every call in an app without TasksModule: the decorator is not only metadata', async () => {
    // The attack this stops: the app forgot TasksModule, so nothing reads @RequiresApproval() and,
    // before the guard, a call to drop_all ran at once, with no approval, no error at boot.
    runs.length = 0;
    app = await createMcpTestApp({ imports: [servers[0]!], providers: [SameServerTools] });
    const result = await app.client.callTool({ name: 'drop_all', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toMatchObject({
      code: 'APPROVAL_REQUIRED',
    });
    expect(runs).toEqual([]);
  });

  it('refuses a direct call of the method from other code', async () => {
    runs.length = 0;
    app = await createMcpTestApp({
      imports: [servers[0]!, TasksModule.forRoot({ approvals: { keys: KEYS } })],
      providers: [SameServerTools],
    });
    // Code of the app (a controller, a cron job) calling the method skips the approval otherwise.
    const tools = app.app.get(SameServerTools);
    expect(() => tools.dropAll()).toThrow(ToolError);
    expect(() => tools.dropAll()).toThrow(/runs only once an approver approves the call/);
    expect(runs).toEqual([]);
  });

  it('keeps the metadata of decorators below it, and runs the approved call once with its this, args and context', async () => {
    app = await createMcpTestApp({
      transport: 'http',
      era: 'modern',
      headers: { 'x-user': 'alice', 'x-tenant': 't1' },
      imports: [
        McpModule.forRoot({ name: 'front', version: '1.0.0', http: { path: '/mcp' }, identify }),
        TasksModule.forRoot({
          pollIntervalMs: 50,
          approvals: { keys: KEYS, authorize: (req) => Promise.resolve(identify(req)) },
        }),
      ],
      providers: [ReversedTools],
    });
    const tools = app.app.get(ReversedTools);
    const { tools: listed } = await app.client.listTools();
    expect(listed.map((t) => t.name)).toContain('drop_table');

    const held = await app.client.callTool({ name: 'drop_table', arguments: { table: 'users' } });
    const handle = held.structuredContent as { taskId: string; approvalId: string };
    expect(handle.approvalId).toEqual(expect.any(String));
    expect(tools.seen).toEqual([]);

    const approver = { ...BOB, scopes: 'db:approve' };
    const decided = await approvals(app, 'POST', `/${handle.approvalId}/approve`, approver, {
      argumentsHash: argumentsHash({ table: 'users' }),
    });
    expect(decided.status).toBe(200);
    const client = app.client;
    await until(
      () => client.callTool({ name: 'get_task_status', arguments: { taskId: handle.taskId } }),
      (s) => (s.structuredContent as { status: string }).status === 'completed',
    );
    const done = await client.callTool({
      name: 'get_task_result',
      arguments: { taskId: handle.taskId },
    });
    expect(done.content).toEqual([{ type: 'text', text: 'dropped users' }]);
    expect(tools.seen).toEqual(['users by alice']);
  });
});
