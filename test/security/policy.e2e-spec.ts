import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsInt } from 'class-validator';
import { Args, McpModule, RampartChannel, Tool, type AccessEvent } from '@rampart/core';
import { PolicyAuthorizerToken, PolicyEngine, SecurityModule, Tags } from '@rampart/security';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { LocalIssuer } from './local-issuer';

class RefundInput {
  @IsInt()
  amount!: number;
}

@Injectable()
class LedgerTools {
  @Tool({ description: 'Balance', annotations: { readOnlyHint: true } })
  balance() {
    return '42';
  }

  @Tags('finance')
  @Tool({ description: 'Refund an order' })
  refund(@Args() input: RefundInput) {
    return `refunded ${input.amount}`;
  }
}

const POLICIES = `
@id("default-allow")
permit (principal, action, resource);

@id("big-refunds-need-approval")
forbid (principal, action == Rampart::Action::"tools/call", resource == Rampart::Tool::"refund")
when { context has arguments && context.arguments has amount && context.arguments.amount > 100 };

@id("no-finance-for-trial")
forbid (principal, action, resource)
when { resource.tags.contains("finance") && principal has tenant && principal.tenant == "trial" };
`;

function ledger(issuer: LocalIssuer, file: string): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'ledger', version: '1.0.0' }),
      SecurityModule.forRoot({
        resource: 'https://mcp.test/mcp',
        jwt: { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl },
        policy: { files: [file] },
      }),
    ],
    providers: [LedgerTools],
  })
  class LedgerModule {}
  return { module: LedgerModule };
}

describe.each(mcpTestMatrix((s) => s.transport === 'http'))(
  'Cedar policies over %s',
  (_name, setup) => {
    let issuer: LocalIssuer;
    let t: McpTestApp;
    let file: string;
    const events: AccessEvent[] = [];
    const record = (e: unknown) => events.push(e as AccessEvent);
    const as = async (claims: Record<string, unknown>) =>
      t.connect({ authorization: `Bearer ${await issuer.token({ sub: 'u', ...claims })}` });

    beforeAll(async () => {
      subscribe(RampartChannel.access, record);
      issuer = await LocalIssuer.start();
      file = join(mkdtempSync(join(tmpdir(), 'rampart-policy-')), 'ledger.cedar');
      writeFileSync(file, POLICIES);
      t = await createMcpTestApp({
        imports: [ledger(issuer, file)],
        ...setup,
        headers: {
          authorization: `Bearer ${await issuer.token({ sub: 'first', tenant: 'acme' })}`,
        },
      });
    });
    afterAll(async () => {
      unsubscribe(RampartChannel.access, record);
      await t?.close();
      await issuer.close();
    });
    beforeEach(() => (events.length = 0));

    it('permits what the policies permit', async () => {
      const client = await as({ tenant: 'acme' });
      expect(
        (await client.callTool({ name: 'refund', arguments: { amount: 50 } })).content,
      ).toEqual([{ type: 'text', text: 'refunded 50' }]);
    });

    it('forbids a call by its arguments, 403, and audits the policy that decided', async () => {
      const client = await as({ sub: 'mallory', tenant: 'acme' });
      expect((await client.listTools()).tools.map((x) => x.name)).toContain('refund');
      await expect(
        client.callTool({ name: 'refund', arguments: { amount: 5_000 } }),
      ).rejects.toThrow(/403|Forbidden/);
      expect(events).toContainEqual(
        expect.objectContaining({
          stage: 'authorization',
          reason: 'policy',
          subject: 'mallory',
          target: 'refund',
          policies: ['big-refunds-need-approval'],
        }),
      );
    });

    it('hides what a policy forbids to the caller, by tag and tenant', async () => {
      const trial = await as({ tenant: 'trial' });
      expect((await trial.listTools()).tools.map((x) => x.name)).toEqual(['balance']);
      const acme = await as({ tenant: 'acme' });
      expect((await acme.listTools()).tools.map((x) => x.name).sort()).toEqual([
        'balance',
        'refund',
      ]);
    });

    it('takes a reloaded policy file at once, without a restart', async () => {
      const engine = t.module.get<PolicyEngine>(PolicyAuthorizerToken);
      writeFileSync(
        file,
        `${POLICIES}\n@id("freeze") forbid (principal, action, resource == Rampart::Tool::"balance");`,
      );
      try {
        expect(engine.reload()).toMatchObject({ ok: true, changed: true });
        const client = await as({ tenant: 'acme' });
        expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['refund']);
      } finally {
        writeFileSync(file, POLICIES);
        engine.reload();
      }
      const after = await as({ tenant: 'acme' });
      expect((await after.listTools()).tools.map((x) => x.name).sort()).toEqual([
        'balance',
        'refund',
      ]);
    });
  },
);
