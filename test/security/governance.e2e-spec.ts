import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, McpContext, McpModule, Prompt, Resource, Tool } from '@rampart/core';
import {
  Public,
  Risk,
  Roles,
  Scopes,
  SecurityModule,
  SecurityService,
  KillSwitchStore,
  Tags,
  type SecurityModuleOptions,
} from '@rampart/security';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';

@Injectable()
@Tags('ops')
class GovernedTools {
  @Public()
  @Tool({ description: 'Service status', annotations: { readOnlyHint: true } })
  status() {
    return 'ok';
  }

  @Tool({ description: 'Who is calling', annotations: { readOnlyHint: true } })
  whoami(@Ctx() ctx: McpContext) {
    return ctx.identity?.subject ?? 'anonymous';
  }

  @Tags('beta')
  @Tool({ description: 'A feature in beta', annotations: { readOnlyHint: true } })
  preview() {
    return 'preview';
  }

  @Tool({ description: 'Writes a record' })
  write() {
    return 'written';
  }

  @Risk('critical')
  @Roles('treasurer')
  @Tool({ description: 'Sends money', annotations: { destructiveHint: true } })
  pay() {
    return 'paid';
  }

  @Scopes('docs:read')
  @Resource({ uri: 'docs://handbook', mimeType: 'text/plain' })
  handbook() {
    return 'handbook';
  }

  @Prompt({ description: 'Summarise' })
  summarise() {
    return 'Summarise.';
  }
}

function app(options: SecurityModuleOptions): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'governed', version: '1.0.0' }),
      SecurityModule.forRoot(options),
    ],
    providers: [GovernedTools],
  })
  class GovernedModule {}
  return { module: GovernedModule };
}

/** Waits (bounded) until `check` holds: switches reach the views through the store's listeners. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const LOCAL = { subject: 'local-user', roles: ['treasurer'], tenant: 'acme' };
const names = async (t: McpTestApp) => (await t.client.listTools()).tools.map((x) => x.name).sort();

describe.each(mcpTestMatrix((s) => s.transport === 'memory'))(
  'governance over %s',
  (_name, setup) => {
    let t: McpTestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const boot = async (options: SecurityModuleOptions) =>
      (t = await createMcpTestApp({ imports: [app(options)], ...setup }));

    it('gives stdio and in-memory connections the configured local identity', async () => {
      await boot({ localIdentity: LOCAL });
      const who = await t!.client.callTool({ name: 'whoami', arguments: {} });
      expect(who.content).toEqual([{ type: 'text', text: 'local-user' }]);
      expect(await names(t!)).toEqual(['pay', 'preview', 'status', 'whoami', 'write']);
    });

    it('lets anonymous callers use only what is public when there is no identity', async () => {
      await boot({});
      expect(await names(t!)).toEqual(['status']);
      await expect(t!.client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(
        /Unauthorized: credentials are required/,
      );
    });

    it('serves everything without a requirement to anyone with defaultAccess public', async () => {
      await boot({ defaultAccess: 'public' });
      expect(await names(t!)).toEqual(['preview', 'status', 'whoami', 'write']);
    });

    it('denies by default what declares nothing, with defaultAccess deny', async () => {
      await boot({ localIdentity: LOCAL, defaultAccess: 'deny' });
      expect(await names(t!)).toEqual(['pay', 'status']);
      expect((await t!.client.listPrompts()).prompts).toEqual([]);
    });

    it('serves only read-only tools in a read-only deployment', async () => {
      await boot({ localIdentity: LOCAL, governance: { readOnly: true } });
      expect(await names(t!)).toEqual(['preview', 'status', 'whoami']);
      await expect(t!.client.callTool({ name: 'write', arguments: {} })).rejects.toThrow(
        /Unknown tool: write/,
      );
    });

    it('holds back what is riskier than the ceiling', async () => {
      await boot({ localIdentity: LOCAL, governance: { maxRisk: 'high' } });
      expect(await names(t!)).not.toContain('pay');
    });

    it('disables by tag and environment, and by tenant', async () => {
      await boot({
        localIdentity: LOCAL,
        governance: {
          environment: 'production',
          disable: [
            { tags: ['beta'], environments: ['production'] },
            { names: ['write'], tenants: ['acme'] },
            { tags: ['beta'], environments: ['staging'] },
          ],
        },
      });
      expect(await names(t!)).toEqual(['pay', 'status', 'whoami']);
    });

    it('takes the whole server out of service with a server kill switch, and back', async () => {
      await boot({ localIdentity: LOCAL });
      const switches = t!.module.get<KillSwitchStore>(KillSwitchStore);
      await switches.set({ server: 'governed', reason: 'incident', at: new Date().toISOString() });
      await until(async () => (await names(t!)).length === 0);
      expect((await t!.client.listPrompts()).prompts).toEqual([]);
      await switches.clear('governed');
      await until(async () => (await names(t!)).length === 5);
    });

    it('hides a resource that needs a scope the caller lacks, and refuses to read it', async () => {
      await boot({ localIdentity: LOCAL });
      expect((await t!.client.listResources()).resources).toEqual([]);
      await expect(t!.client.readResource({ uri: 'docs://handbook' })).rejects.toThrow(
        /Forbidden: this needs the scope docs:read/,
      );
      await t!.close();
      await boot({ localIdentity: { ...LOCAL, scopes: ['docs:read'] } });
      expect((await t!.client.readResource({ uri: 'docs://handbook' })).contents).toMatchObject([
        { text: 'handbook' },
      ]);
    });
  },
);

describe('list changes over memory, 2025-11-25', () => {
  let t: McpTestApp;
  afterEach(() => t?.close());

  it('announces list_changed to connected clients when the decisions change', async () => {
    t = await createMcpTestApp({
      imports: [app({ localIdentity: LOCAL })],
      transport: 'memory',
      era: 'legacy',
    });
    const changed = new Promise<void>((resolve) =>
      t.client.setNotificationHandler('notifications/tools/list_changed', () => resolve()),
    );
    t.module.get(SecurityService).changed();
    await changed;
  });
});
