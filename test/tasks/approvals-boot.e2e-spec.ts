import { Injectable } from '@nestjs/common';
import { McpModule, Tool } from '@rampart/core';
import { RequiresApproval, TasksModule } from '@rampart/tasks';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { KEYS } from './approvals.fixture';

/**
 * Boot checks of `@RequiresApproval()`: a tool that asks for an approval where nothing would hold
 * its calls is refused when the app starts, rather than served unapproved.
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
});
