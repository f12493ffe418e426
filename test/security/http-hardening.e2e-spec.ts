import { Injectable, Module } from '@nestjs/common';
import { McpModule, Tool } from '@rampart/core';
import { Public, SecurityModule } from '@rampart/security';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';

@Injectable()
class OpenTools {
  @Public()
  @Tool({ description: 'Service status', annotations: { readOnlyHint: true } })
  status() {
    return 'ok';
  }
}

@Module({
  imports: [
    McpModule.forRoot({
      name: 'hardened',
      version: '1.0.0',
      // Both pass the endpoint's Origin check: CORS alone decides what a browser may read.
      http: { allowedOrigins: ['app.example.com', 'evil.example.com'] },
    }),
    SecurityModule.forRoot({
      http: { cors: { origins: ['https://app.example.com'], maxAgeSeconds: 120 } },
    }),
  ],
  providers: [OpenTools],
})
class HardenedModule {}

const listBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/list',
  params: {
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
});

describe.each(['express', 'fastify'] as const)('HTTP hardening on %s', (adapter) => {
  let t: McpTestApp;
  beforeAll(async () => {
    t = await createMcpTestApp({ imports: [HardenedModule], transport: 'http', adapter });
  });
  afterAll(() => t.close());

  const post = (headers: Record<string, string> = {}) =>
    fetch(t.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
        ...headers,
      },
      body: listBody,
    });

  it('sends security headers and no X-Powered-By on MCP responses, refusals included', async () => {
    const refused = await fetch(t.url!, { headers: { 'mcp-protocol-version': '2026-07-28' } });
    expect(refused.status).toBe(405);
    const rebinding = await post({ origin: 'https://attacker.example' });
    expect(rebinding.status).toBe(403);
    for (const res of [await post(), refused, rebinding]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      // Headers that only act on pages are not sent on an API's answers (`http.headers: 'all'`).
      expect(res.headers.get('x-xss-protection')).toBeNull();
      expect(res.headers.get('x-dns-prefetch-control')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
      await res.body?.cancel();
    }
  });

  it('answers a preflight from an allowed origin, exposing the MCP headers', async () => {
    const res = await fetch(t.url!, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization, mcp-protocol-version',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'content-type, authorization, mcp-protocol-version',
    );
    expect(res.headers.get('access-control-max-age')).toBe('120');
    const actual = await post({ origin: 'https://app.example.com' });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(actual.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    await actual.body?.cancel();
  });

  it('gives an origin outside the allowlist no CORS grant', async () => {
    const preflight = await fetch(t.url!, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await post({ origin: 'https://evil.example.com' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await res.body?.cancel();
  });
});
