import { nestProject, runner } from '../testing.fixture';

describe('server', () => {
  it('creates a module with one more McpModule server on /NAME/mcp, imported by the app module', async () => {
    const tree = await runner.runSchematic('server', { name: 'billing' }, nestProject());
    expect(tree.files.filter((f) => f.startsWith('/src/billing/'))).toEqual([
      '/src/billing/billing.module.spec.ts',
      '/src/billing/billing.module.ts',
    ]);
    expect(tree.readText('/src/billing/billing.module.ts'))
      .toBe(`import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';

/**
 * The \`billing\` MCP server, on Streamable HTTP at /billing/mcp. A tool, resource or
 * prompt without a \`server\` option is on every server of the app: give it
 * \`server: 'billing'\` to put it on this one only.
 */
@Module({
  imports: [
    McpModule.forRoot({
      name: 'billing',
      version: '1.2.3',
      http: { path: '/billing/mcp' },
    }),
  ],
})
export class BillingModule {}
`);
    expect(tree.readText('/src/app.module.ts')).toBe(`import { Module } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { BillingModule } from './billing/billing.module';

@Module({
  imports: [McpModule.forRoot({ name: 'shop', version: '1.2.3' }), BillingModule],
})
export class AppModule {}
`);
  });

  it('writes a spec that reaches the server over HTTP on its path', async () => {
    const tree = await runner.runSchematic('server', { name: 'billing' }, nestProject());
    expect(tree.readText('/src/billing/billing.module.spec.ts'))
      .toBe(`import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { BillingModule } from './billing.module';

describe('BillingModule', () => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [BillingModule],
      transport: 'http',
      server: 'billing',
    });
  });

  afterAll(() => t.close());

  it('serves billing over HTTP on /billing/mcp', async () => {
    expect(t.url?.pathname).toBe('/billing/mcp');
    await expect(t.client.listTools()).resolves.toMatchObject({
      tools: expect.any(Array),
    });
  });
});
`);
  });

  it('takes the HTTP path and version it is given', async () => {
    const tree = await runner.runSchematic(
      'server',
      { name: 'billing', httpPath: '/api/billing', version: '2.0.0' },
      nestProject(),
    );
    expect(tree.readText('/src/billing/billing.module.ts')).toContain(`      version: '2.0.0',
      http: { path: '/api/billing' },
`);
    expect(tree.readText('/src/billing/billing.module.spec.ts')).toContain(
      `expect(t.url?.pathname).toBe('/api/billing');`,
    );
  });

  it('gives tools generated into its folder to its module', async () => {
    const withServer = await runner.runSchematic('server', { name: 'billing' }, nestProject());
    const tree = await runner.runSchematic('tool', { name: 'billing/invoice' }, withServer);
    expect(tree.readText('/src/billing/billing.module.ts')).toContain(`  ],
  providers: [InvoiceTools],
})
export class BillingModule {}
`);
    expect(tree.readText('/src/app.module.ts')).not.toContain('InvoiceTools');
  });

  it.each(['billing/mcp', '/billing mcp', ''])('refuses the HTTP path %p', async (httpPath) => {
    await expect(
      runner.runSchematic('server', { name: 'billing', httpPath }, nestProject()),
    ).rejects.toThrow(
      `"${httpPath}" is not an HTTP path: start it with / and use URL path characters (e.g. /billing/mcp)`,
    );
  });
});
