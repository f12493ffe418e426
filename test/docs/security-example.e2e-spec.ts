import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { billingModule } from '../../docs/examples/security.example';
import { LocalIssuer } from '../security/local-issuer';

describe('docs example: security', () => {
  let issuer: LocalIssuer;
  let t: McpTestApp;
  const as = async (claims: Record<string, unknown>) =>
    t.connect({
      authorization: `Bearer ${await issuer.token({ sub: 'u', ...claims }, { audience: 'https://mcp.example.com/mcp' })}`,
    });

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    t = await createMcpTestApp({
      imports: [billingModule(issuer)],
      transport: 'http',
      headers: {
        authorization: `Bearer ${await issuer.token({ sub: 'first' }, { audience: 'https://mcp.example.com/mcp' })}`,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await issuer.close();
  });

  it('shows each caller what it may use', async () => {
    const names = async (claims: Record<string, unknown>) =>
      (await (await as(claims)).listTools()).tools.map((x) => x.name).sort();
    expect(await names({ tenant: 'acme' })).toEqual(['status']);
    expect(await names({ tenant: 'acme', scope: 'billing:read' })).toEqual([
      'list_invoices',
      'status',
    ]);
    expect(await names({ tenant: 'acme', roles: ['billing-admin'] })).toEqual(['refund', 'status']);
    // The whole class is tagged finance, which governance turns off for trial tenants.
    expect(
      await names({ tenant: 'trial', scope: 'billing:read', roles: ['billing-admin'] }),
    ).toEqual([]);
  });

  it('refuses a refund over the policy limit, and serves a small one', async () => {
    const admin = await as({ tenant: 'acme', roles: ['billing-admin'] });
    expect((await admin.callTool({ name: 'refund', arguments: { amount: 20 } })).content).toEqual([
      { type: 'text', text: 'refunded 20' },
    ]);
    await expect(admin.callTool({ name: 'refund', arguments: { amount: 5_000 } })).rejects.toThrow(
      /403|Forbidden/,
    );
  });
});
