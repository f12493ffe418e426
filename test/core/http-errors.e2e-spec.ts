import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { FixtureTools } from '../fixtures/fixture.module';
import { Module } from '@nestjs/common';

const MODERN = '2026-07-28';
const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
};

@Module({
  imports: [
    McpModule.forRoot({
      name: 'limits',
      version: '1.0.0',
      http: { path: '/mcp', maxBodyBytes: 64 * 1024, maxSessions: 1 },
    }),
  ],
  providers: [FixtureTools],
})
class LimitsModule {}

interface Sent {
  status: number;
  body: any;
}

describe.each(['express', 'fastify'] as const)('bad HTTP input on %s', (adapter) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const module = await Test.createTestingModule({ imports: [LimitsModule] }).compile();
    if (adapter === 'express') {
      app = module.createNestApplication({ logger: false });
      // The app's JSON parser runs before the MCP route; raise its limit to the endpoint's.
      (app as unknown as { useBodyParser(type: string, options: object): void }).useBodyParser(
        'json',
        { limit: '1mb' },
      );
    } else {
      const { FastifyAdapter } = await import('@nestjs/platform-fastify');
      app = module.createNestApplication(new FastifyAdapter(), { logger: false });
    }
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/mcp`;
  });

  afterAll(() => app.close());

  async function send(body: string | object, headers: Record<string, string> = {}): Promise<Sent> {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // SSE or empty: kept as text.
    }
    return { status: res.status, body: parsed };
  }

  const modernHeaders = (method: string, name?: string) => ({
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
    ...(name && { 'mcp-name': name }),
  });

  /** A good 2026 call, sent after each bad one to show the server still serves. */
  async function stillServes(): Promise<void> {
    const res = await send(
      {
        jsonrpc: '2.0',
        id: 99,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'alive' }, _meta: envelope },
      },
      modernHeaders('tools/call', 'echo'),
    );
    expect(res.status).toBe(200);
    expect(res.body.result.content).toEqual([{ type: 'text', text: 'alive' }]);
  }

  it('answers malformed JSON with a parse error (-32700)', async () => {
    const res = await send('{"jsonrpc": "2.0", "id": 1, "method": ', modernHeaders('tools/list'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(-32700);
    await stillServes();
  });

  it('answers a body that is not JSON-RPC with an invalid-request error', async () => {
    const res = await send({ hello: 'world' }, modernHeaders('tools/list'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(-32600);
    await stillServes();
  });

  it('answers an unknown method with method-not-found (-32601)', async () => {
    const res = await send(
      { jsonrpc: '2.0', id: 7, method: 'tools/frobnicate', params: { _meta: envelope } },
      modernHeaders('tools/frobnicate'),
    );
    expect(res.body.error.code).toBe(-32601);
    expect(res.body.id).toBe(7);
    await stillServes();
  });

  it('answers an oversized body with 413 and a JSON-RPC error', async () => {
    const huge = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x'.repeat(200 * 1024) }, _meta: envelope },
    };
    const res = await send(huge, modernHeaders('tools/call', 'echo'));
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/too large/i);
    await stillServes();
  });

  it('rejects a 2026 request whose Mcp-Method header is missing or does not match the body', async () => {
    const call = {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x' }, _meta: envelope },
    };
    const missing = await send(call, { 'mcp-protocol-version': MODERN });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe(-32020);
    const mismatched = await send(call, modernHeaders('tools/list', 'echo'));
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.error.code).toBe(-32020);
    const wrongName = await send(call, modernHeaders('tools/call', 'other'));
    expect(wrongName.status).toBe(400);
    expect(wrongName.body.error.code).toBe(-32020);
    await stillServes();
  });

  it('rejects a 2026 request whose version header and _meta disagree', async () => {
    const res = await send(
      { jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: envelope } },
      { 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/list' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBeDefined();
    await stillServes();
  });

  it('rejects a foreign Origin (DNS rebinding) with 403', async () => {
    const res = await send(
      { jsonrpc: '2.0', id: 5, method: 'tools/list', params: { _meta: envelope } },
      {
        ...modernHeaders('tools/list'),
        origin: 'http://evil.example.com',
      },
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toBeDefined();
    await stillServes();
  });

  it('answers a request for a session that does not exist with 404', async () => {
    const res = await send(
      { jsonrpc: '2.0', id: 6, method: 'tools/list' },
      { 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-11-25' },
    );
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/session not found/i);
    expect(res.body.id).toBe(6);
    await stillServes();
  });

  it('answers a 2025 request without a session with 400', async () => {
    const res = await send(
      { jsonrpc: '2.0', id: 8, method: 'tools/list' },
      { 'mcp-protocol-version': '2025-11-25' },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(-32600);
    await stillServes();
  });

  it('refuses a session past maxSessions with 503 and Retry-After, and serves the open one', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    };
    const first = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(initialize),
    });
    expect(first.status).toBe(200);
    const session = first.headers.get('mcp-session-id')!;
    await first.text();
    const second = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(initialize),
    });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('5');
    expect((await second.json()).error.message).toMatch(/sessions are open/);
    const list = await send(
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    );
    expect(list.status).toBe(200);
    const closed = await fetch(url, {
      method: 'DELETE',
      headers: { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
    });
    expect(closed.status).toBe(200);
    await stillServes();
  });

  it('accepts a 2026 notification with 202 and no body', async () => {
    const res = await send(
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: 1, _meta: envelope },
      },
      modernHeaders('notifications/cancelled'),
    );
    expect(res.status).toBe(202);
    await stillServes();
  });
});
