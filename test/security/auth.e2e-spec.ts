import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import { Args, Ctx, McpContext, McpModule, Tool } from '@rampart/core';
import { Public, Roles, Scopes, SecurityModule } from '@rampart/security';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { EchoInput } from '../fixtures/fixture.module';
import { LocalIssuer } from './local-issuer';
import { openLegacySession } from '../legacy-session';

const RESOURCE = 'https://mcp.test/mcp';
const METADATA = 'https://mcp.test/.well-known/oauth-protected-resource/mcp';

@Injectable()
class SecuredTools {
  @Public()
  @Tool({ description: 'Service status', annotations: { readOnlyHint: true } })
  status() {
    return 'ok';
  }

  @Tool({ description: 'Echoes its text' })
  echo(@Args() input: EchoInput) {
    return input.text;
  }

  @Scopes('scrape:read')
  @Tool({ description: 'Reads a page', annotations: { readOnlyHint: true } })
  read(@Ctx() ctx: McpContext) {
    return `read by ${ctx.identity?.subject}`;
  }

  @Roles('admin')
  @Tool({ description: 'Empties the cache', annotations: { destructiveHint: true } })
  purge() {
    return 'purged';
  }
}

function securedModule(issuer: LocalIssuer): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'secured', version: '1.0.0' }),
      SecurityModule.forRoot({
        resource: RESOURCE,
        // Rotation is picked up at once here; the cooldown has its own spec.
        jwt: {
          issuer: issuer.issuer,
          jwksUrl: issuer.jwksUrl,
          jwksCooldownMs: 0,
          jwksTimeoutMs: 2_000,
        },
      }),
    ],
    providers: [SecuredTools],
  })
  class SecuredModule {}
  return { module: SecuredModule };
}

const listBody = (id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/list',
  params: {
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
});

describe.each(['express', 'fastify'] as const)('OAuth resource server on %s', (adapter) => {
  let issuer: LocalIssuer;
  let t: McpTestApp;
  let alice: string;

  const post = (headers: Record<string, string>, body: unknown = listBody()) =>
    fetch(t.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': (body as { method: string }).method,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    alice = await issuer.token({ sub: 'alice', scope: 'scrape:read' });
    t = await createMcpTestApp({
      imports: [securedModule(issuer)],
      transport: 'http',
      adapter,
      headers: bearer(alice),
    });
  });
  afterAll(async () => {
    await t?.close();
    await issuer.close();
  });

  it('answers a request without credentials 401 with the metadata challenge', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA}"`);
    expect(await res.json()).toMatchObject({
      error: { code: -32000, data: { error: 'unauthorized' } },
    });
  });

  it('serves RFC 9728 protected resource metadata at both well-known paths', async () => {
    const origin = new URL(t.url!).origin;
    for (const path of [
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['scrape:read'],
        bearer_methods_supported: ['header'],
      });
    }
  });

  it('serves a valid token', async () => {
    const res = await post(bearer(alice));
    expect(res.status).toBe(200);
  });

  describe('refuses forged and misused tokens', () => {
    const attacks: [string, () => Promise<string>, RegExp][] = [
      [
        'a token signed by another key under a real kid',
        async () =>
          new SignJWT({ sub: 'mallory', scope: 'scrape:read' })
            .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
            .setIssuer(issuer.issuer)
            .setAudience(RESOURCE)
            .setExpirationTime('5m')
            .sign((await generateKeyPair('RS256')).privateKey),
        /signature is invalid/,
      ],
      [
        'a token from another issuer',
        () => issuer.token({ sub: 'alice' }, { issuer: 'https://evil.test/' }),
        /another issuer/,
      ],
      [
        'a token for another resource',
        () => issuer.token({ sub: 'alice' }, { audience: 'https://other.test/mcp' }),
        /another resource/,
      ],
      [
        'an expired token',
        () => issuer.token({ sub: 'alice' }, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
        /expired/,
      ],
      [
        'a token not valid yet',
        () => issuer.token({ sub: 'alice', nbf: Math.floor(Date.now() / 1000) + 600 }),
        /not valid yet/,
      ],
      [
        'an unsigned token (alg: none)',
        async () =>
          new UnsecuredJWT({ sub: 'alice', scope: 'scrape:read' })
            .setIssuer(issuer.issuer)
            .setAudience(RESOURCE)
            .setExpirationTime('5m')
            .encode(),
        /algorithm is not accepted/,
      ],
      [
        'an HS256 token whose HMAC secret is the public key (algorithm confusion)',
        async () =>
          new SignJWT({ sub: 'alice', scope: 'scrape:read' })
            .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
            .setIssuer(issuer.issuer)
            .setAudience(RESOURCE)
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(await issuer.publicPem())),
        /algorithm is not accepted/,
      ],
      [
        'a token naming a key the issuer never published',
        async () =>
          new SignJWT({ sub: 'alice' })
            .setProtectedHeader({ alg: 'RS256', kid: 'k99' })
            .setIssuer(issuer.issuer)
            .setAudience(RESOURCE)
            .setExpirationTime('5m')
            .sign((await generateKeyPair('RS256')).privateKey),
        /unknown key/,
      ],
      ['a token that is not a JWT', async () => 'not-a-jwt', /not a JWT/],
    ];

    it.each(attacks)('%s: 401 invalid_token', async (_name, make, description) => {
      const token = await make();
      const res = await post(bearer(token));
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate')!;
      expect(challenge).toMatch(
        /^Bearer resource_metadata=".+", error="invalid_token", error_description=".+"$/,
      );
      expect(challenge).toMatch(description);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: { data: { error: 'invalid_token' } } });
      // The credential is never echoed back.
      expect(text + challenge).not.toContain(token);
    });
  });

  it('answers a call that needs a scope the token lacks 403 naming the scope (step-up)', async () => {
    const bob = await issuer.token({ sub: 'bob', scope: 'other' });
    const call = {
      ...listBody(),
      method: 'tools/call',
      params: { ...listBody().params, name: 'read', arguments: {} },
    };
    const res = await post({ ...bearer(bob), 'mcp-name': 'read' }, call);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${METADATA}", error="insufficient_scope", scope="scrape:read", error_description="The token lacks a scope this needs"`,
    );
    expect(await res.json()).toMatchObject({
      error: { data: { error: 'insufficient_scope', scope: 'scrape:read' } },
    });
  });

  it('checks the scope of every call of a 2025-era batch', async () => {
    // The attack: bob's token lacks scrape:read. Alone, his call of `read` is refused 403; sent
    // as one element of a JSON-RPC batch (which protocol 2025-03-26 clients may send), it had
    // skipped the access checks, which run when a request is admitted, and ran.
    const bob = await issuer.token({ sub: 'bob', scope: 'other' });
    const session = await openLegacySession(t.url!, bearer(bob));
    const call = (id: number, name: string) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name, arguments: { text: 'hi' } },
    });
    const res = await session.post([call(2, 'echo'), call(3, 'read')]);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(JSON.stringify(await res.json())).not.toContain('read by bob');
  });

  it('picks up a rotated signing key, and answers 503 while the JWKS is down', async () => {
    const before = issuer.fetches;
    await issuer.rotate();
    const fresh = await issuer.token({ sub: 'carol' });
    issuer.mode = 'down';
    const refused = await post(bearer(fresh));
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(0);
    // Tokens of keys already known keep working while the JWKS is down.
    expect((await post(bearer(await issuer.token({ sub: 'dave' }, { kid: 'k1' })))).status).toBe(
      200,
    );
    issuer.mode = 'up';
    expect((await post(bearer(fresh))).status).toBe(200);
    expect(issuer.fetches).toBeGreaterThan(before);
  });

  it('refuses a token for another subject on an existing 2025-11-25 session', async () => {
    const session = await openLegacySession(t.url!, bearer(alice), '2025-11-25');
    const mallory = await issuer.token({ sub: 'mallory', scope: 'scrape:read' });
    const hijack = await session.post(
      { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
      bearer(mallory),
    );
    expect(hijack.status).toBe(403);
    await hijack.body?.cancel();
  });
});

describe.each(mcpTestMatrix((s) => s.transport === 'http'))(
  'per-tool access over %s',
  (_name, setup) => {
    let issuer: LocalIssuer;
    let t: McpTestApp;
    const as = async (claims: Record<string, unknown>) =>
      t.connect({ authorization: `Bearer ${await issuer.token({ sub: 'u', ...claims })}` });

    beforeAll(async () => {
      issuer = await LocalIssuer.start();
      t = await createMcpTestApp({
        imports: [securedModule(issuer)],
        ...setup,
        headers: { authorization: `Bearer ${await issuer.token({ sub: 'first' })}` },
      });
    });
    afterAll(async () => {
      await t?.close();
      await issuer.close();
    });

    it('lists only what the caller may use', async () => {
      const names = async (c: Awaited<ReturnType<typeof as>>) =>
        (await c.listTools()).tools.map((x) => x.name).sort();
      expect(await names(await as({}))).toEqual(['echo', 'status']);
      expect(await names(await as({ scope: 'scrape:read' }))).toEqual(['echo', 'read', 'status']);
      expect(await names(await as({ roles: ['admin'] }))).toEqual(['echo', 'purge', 'status']);
    });

    it('answers a call to a tool hidden by role as an unknown tool', async () => {
      const client = await as({ scope: 'scrape:read' });
      await expect(client.callTool({ name: 'purge', arguments: {} })).rejects.toThrow(
        /Unknown tool: purge/,
      );
      const admin = await as({ roles: ['admin'] });
      expect((await admin.callTool({ name: 'purge', arguments: {} })).content).toEqual([
        { type: 'text', text: 'purged' },
      ]);
    });

    it('gives the tool the verified identity', async () => {
      const client = await as({ sub: 'erin', scope: 'scrape:read' });
      expect((await client.callTool({ name: 'read', arguments: {} })).content).toEqual([
        { type: 'text', text: 'read by erin' },
      ]);
    });
  },
);
