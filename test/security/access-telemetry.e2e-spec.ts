import { Injectable } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { generateKeyPair, SignJWT } from 'jose';
import type { Registry } from 'prom-client';
import { Args, McpModule, Tool } from '@rampart/core';
import {
  OBSERVABILITY_REGISTRY,
  ObservabilityModule,
  type AuditRecord,
  type AuditSink,
} from '@rampart/observability';
import { Roles, Scopes, SecurityModule } from '@rampart/security';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { LocalIssuer } from './local-issuer';

const RESOURCE = 'https://mcp.test/mcp';
const SERVER = 'telemetry';

class DeployInput {
  @IsIn(['staging', 'prod']) env!: 'staging' | 'prod';
}

@Injectable()
class GuardedTools {
  @Scopes('scrape:read')
  @Tool({ description: 'Reads a page', annotations: { readOnlyHint: true } })
  read() {
    return 'read';
  }

  @Roles('admin')
  @Tool({ description: 'Empties the cache', annotations: { destructiveHint: true } })
  purge() {
    return 'purged';
  }

  @Tool({ description: 'Deploys' })
  deploy(@Args() input: DeployInput) {
    return `deployed to ${input.env}`;
  }
}

/** Cedar policies: deploying to prod is forbidden by `forbid-prod-deploys`. */
const POLICIES = `
@id("default-allow")
permit (principal, action, resource);

@id("forbid-prod-deploys")
forbid (principal, action == Rampart::Action::"tools/call", resource == Rampart::Tool::"deploy")
when { context has arguments && context.arguments has env && context.arguments.env == "prod" };
`;

class CapturingSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(record: AuditRecord): void {
    this.records.push(record);
  }
}

const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: {
    name,
    arguments: args,
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
});

describe.each(['express', 'fastify'] as const)(
  'refusals are audited once and counted on %s',
  (adapter) => {
    let issuer: LocalIssuer;
    let t: McpTestApp;
    let sink: CapturingSink;

    const post = (headers: Record<string, string>, body: ReturnType<typeof call>) =>
      fetch(t.url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': body.method,
          'mcp-name': body.params.name,
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    /** The value of one series of `name` in the app's registry (0 when absent). */
    const counter = async (name: string, labels: Record<string, string>) => {
      const registry = t.app.get<Registry>(OBSERVABILITY_REGISTRY);
      const metric = await registry.getSingleMetric(name)!.get();
      const series = metric.values.find((v) =>
        Object.entries(labels).every(([k, value]) => v.labels[k] === value),
      );
      return series?.value ?? 0;
    };
    const about = (target: string) => sink.records.filter((r) => r.target === target);

    beforeAll(async () => {
      issuer = await LocalIssuer.start();
      sink = new CapturingSink();
      t = await createMcpTestApp({
        imports: [
          McpModule.forRoot({ name: SERVER, version: '1.0.0' }),
          SecurityModule.forRoot({
            resource: RESOURCE,
            // Static keys: the public keys the issuer would publish.
            jwt: { issuer: issuer.issuer, keys: await issuer.publicJwks() },
            policy: { policies: POLICIES },
          }),
          ObservabilityModule.forRoot({ metrics: true, audit: { sink } }),
        ],
        providers: [GuardedTools],
        transport: 'http',
        adapter,
        headers: bearer(await issuer.token({ sub: 'first' })),
      });
    });
    afterAll(async () => {
      await t?.close();
      await issuer.close();
    });

    it('a forged token: 401, counted as bad-signature, audited with the address and without the token', async () => {
      const forged = await new SignJWT({ sub: 'mallory', scope: 'scrape:read' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(issuer.issuer)
        .setAudience(RESOURCE)
        .setExpirationTime('5m')
        .sign((await generateKeyPair('RS256')).privateKey);
      const res = await post(bearer(forged), call(1, 'read'));
      expect(res.status).toBe(401);
      await res.body?.cancel();

      expect(
        await counter('rampart_auth_failures_total', { server: SERVER, reason: 'bad-signature' }),
      ).toBe(1);
      const refused = sink.records.filter((r) => r.reason === 'bad-signature');
      expect(refused).toEqual([
        expect.objectContaining({
          server: SERVER,
          method: 'authentication',
          decision: 'denied',
          outcome: 'error',
          address: expect.stringMatching(/127\.0\.0\.1$/),
        }),
      ]);
      expect(refused[0].subject).toBeUndefined();
      expect(JSON.stringify(sink.records)).not.toContain(forged);
      expect(JSON.stringify(sink.records)).not.toContain(forged.split('.')[2]);
    });

    it('no credentials: 401, counted and audited as missing', async () => {
      const res = await post({}, call(2, 'read'));
      expect(res.status).toBe(401);
      await res.body?.cancel();
      expect(
        await counter('rampart_auth_failures_total', { server: SERVER, reason: 'missing' }),
      ).toBe(1);
      expect(sink.records.filter((r) => r.reason === 'missing')).toEqual([
        expect.objectContaining({ method: 'authentication', decision: 'denied' }),
      ]);
    });

    it('a missing scope: 403, counted once, audited once as the call denied for insufficient-scope', async () => {
      const bob = await issuer.token({ sub: 'bob', scope: 'other' });
      const res = await post(bearer(bob), call(3, 'read'));
      expect(res.status).toBe(403);
      await res.body?.cancel();

      expect(
        await counter('rampart_access_denials_total', {
          server: SERVER,
          reason: 'insufficient-scope',
        }),
      ).toBe(1);
      expect(about('read')).toEqual([
        expect.objectContaining({
          server: SERVER,
          method: 'tools/call',
          target: 'read',
          subject: 'bob',
          decision: 'denied',
          outcome: 'error',
          reason: 'insufficient-scope',
          era: 'modern',
          transport: 'http',
        }),
      ]);
      expect(about('read')[0]).not.toHaveProperty('policies');
    });

    it('a tool hidden by role: answered as unknown, audited once as denied for role', async () => {
      const carol = await issuer.token({ sub: 'carol' });
      const res = await post(bearer(carol), call(4, 'purge'));
      expect(await res.text()).toMatch(/Unknown tool: purge/);
      expect(
        await counter('rampart_access_denials_total', { server: SERVER, reason: 'role' }),
      ).toBe(1);
      expect(about('purge')).toEqual([
        expect.objectContaining({ subject: 'carol', decision: 'denied', reason: 'role' }),
      ]);
    });

    it('a policy denial: 403, counted as policy, audited once with the policy that decided', async () => {
      const dave = await issuer.token({ sub: 'dave' });
      const allowed = await post(bearer(dave), call(5, 'deploy', { env: 'staging' }));
      expect(allowed.status).toBe(200);
      await allowed.body?.cancel();
      const denied = await post(bearer(dave), call(6, 'deploy', { env: 'prod' }));
      expect(denied.status).toBe(403);
      await denied.body?.cancel();

      expect(
        await counter('rampart_access_denials_total', { server: SERVER, reason: 'policy' }),
      ).toBe(1);
      expect(about('deploy').map((r) => [r.decision, r.reason, r.policies])).toEqual([
        ['allowed', undefined, undefined],
        ['denied', 'policy', ['forbid-prod-deploys']],
      ]);
      expect(about('deploy')[1]).toMatchObject({ subject: 'dave', arguments: { env: 'prod' } });
    });
  },
);
