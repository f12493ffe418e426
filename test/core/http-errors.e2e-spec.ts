import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { McpModule } from '@rampart/core';
import { FixtureTools } from '../fixtures/fixture.module';
import { Module } from '@nestjs/common';
import { request, type IncomingHttpHeaders } from 'node:http';

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

@Module({
  imports: [
    McpModule.forRoot({
      name: 'modern-only',
      version: '1.0.0',
      http: { path: '/mcp', legacySessions: false },
    }),
  ],
  providers: [FixtureTools],
})
class ModernOnlyModule {}

async function listen(
  adapter: 'express' | 'fastify',
  root: new (...args: never[]) => unknown,
  raiseParserLimit = true,
): Promise<{ app: INestApplication; url: string }> {
  const module = await Test.createTestingModule({ imports: [root] }).compile();
  let app: INestApplication;
  if (adapter === 'express') {
    app = module.createNestApplication({ logger: false });
    // The app's JSON parser runs before the MCP route; raise its limit to the endpoint's.
    if (raiseParserLimit)
      (app as unknown as { useBodyParser(type: string, options: object): void }).useBodyParser(
        'json',
        { limit: '1mb' },
      );
  } else {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = module.createNestApplication(new FastifyAdapter(), { logger: false });
  }
  await app.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/mcp`;
  return { app, url };
}

interface Sent {
  status: number;
  body: any;
}

interface RawSent extends Sent {
  headers: IncomingHttpHeaders;
}

/**
 * One HTTP request with exactly the headers given (fetch adds a Content-Type of its own to a
 * string body). With `headOnly`, resolves at the status line and drops the connection (streams).
 */
function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
  headOnly = false,
): Promise<RawSent> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      if (headOnly) {
        resolve({ status: res.statusCode!, headers: res.headers, body: undefined });
        res.destroy();
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON: kept as text.
        }
        resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(['express', 'fastify'] as const)('bad HTTP input on %s', (adapter) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await listen(adapter, LimitsModule));
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

  it('refuses a foreign Host (DNS rebinding) every time, after accepting the real one and many others', async () => {
    // The attack: a page on evil.example.com whose name resolves to 127.0.0.1 makes the browser
    // send requests to this server with `Host: evil.example.com`. The server accepts its own
    // Host first (and remembers that verdict), then sees every loopback port a client could
    // name, which fills and empties what it remembers; the foreign Host must still be refused,
    // each time it comes.
    const list = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/list',
      params: { _meta: envelope },
    });
    const headers = (host: string, extra: Record<string, string> = {}) => ({
      host,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...modernHeaders('tools/list'),
      ...extra,
    });
    const own = new URL(url).host;
    expect((await raw(url, 'POST', headers(own), list)).status).toBe(200);
    for (let port = 1; port <= 70; port++)
      expect((await raw(url, 'POST', headers(`localhost:${port}`), list)).status).toBe(200);
    for (const host of [
      'evil.example.com',
      `evil.example.com:${new URL(url).port}`,
      'evil.example.com',
    ])
      expect((await raw(url, 'POST', headers(host), list)).status).toBe(403);
    // The same for Origin: a good one accepted (and remembered), a foreign one refused twice.
    expect(
      (await raw(url, 'POST', headers(own, { origin: 'http://localhost:3000' }), list)).status,
    ).toBe(200);
    for (let i = 0; i < 2; i++)
      expect(
        (await raw(url, 'POST', headers(own, { origin: 'http://evil.example.com' }), list)).status,
      ).toBe(403);
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

  describe('HTTP methods and media types', () => {
    const listBody = JSON.stringify({
      jsonrpc: '2.0',
      id: 11,
      method: 'tools/list',
      params: { _meta: envelope },
    });

    it('answers a GET on 2026-07-28 with 405, Allow: POST and a JSON-RPC error', async () => {
      const res = await raw(url, 'GET', {
        accept: 'text/event-stream',
        'mcp-protocol-version': MODERN,
      });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      await stillServes();
    });

    it('answers a DELETE on 2026-07-28 with 405, Allow: POST and a JSON-RPC error', async () => {
      // A session id changes nothing: 2026-07-28 has no sessions to end.
      const res = await raw(url, 'DELETE', {
        'mcp-protocol-version': MODERN,
        'mcp-session-id': 'some-session',
      });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      await stillServes();
    });

    it('answers a text/plain POST with 415 and a JSON-RPC error', async () => {
      const res = await raw(
        url,
        'POST',
        { 'content-type': 'text/plain', ...modernHeaders('tools/list') },
        listBody,
      );
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      expect(res.body.error.message).toMatch(/application\/json/);
      await stillServes();
    });

    it('answers a form POST with 415 and a JSON-RPC error', async () => {
      const res = await raw(
        url,
        'POST',
        { 'content-type': 'application/x-www-form-urlencoded', ...modernHeaders('tools/list') },
        'jsonrpc=2.0&id=1&method=tools%2Flist',
      );
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      await stillServes();
    });

    it('answers a POST without a Content-Type with 415 and a JSON-RPC error', async () => {
      const res = await raw(url, 'POST', modernHeaders('tools/list'), listBody);
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
      await stillServes();
    });

    it('accepts application/json with parameters and in any case', async () => {
      for (const type of ['application/json; charset=utf-8', 'Application/JSON;Charset=UTF-8']) {
        const res = await raw(
          url,
          'POST',
          { 'content-type': type, ...modernHeaders('tools/list') },
          listBody,
        );
        expect(res.status).toBe(200);
        expect(res.body.id).toBe(11);
        expect(Array.isArray(res.body.result.tools)).toBe(true);
      }
    });

    it('keeps GET and DELETE for 2025-11-25 sessions: GET opens the SSE stream, DELETE ends it', async () => {
      const init = await raw(
        url,
        'POST',
        { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'raw', version: '1' },
          },
        }),
      );
      expect(init.status).toBe(200);
      const session = init.headers['mcp-session-id'] as string;
      const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
      try {
        const stream = await raw(
          url,
          'GET',
          { accept: 'text/event-stream', ...headers },
          undefined,
          true,
        );
        expect(stream.status).toBe(200);
        expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      } finally {
        const ended = await raw(url, 'DELETE', headers);
        expect(ended.status).toBe(200);
      }
      const after = await send({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers);
      expect(after.status).toBe(404);
    });
  });
});

describe.each(['express', 'fastify'] as const)(
  'an endpoint without 2025 sessions on %s',
  (adapter) => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      ({ app, url } = await listen(adapter, ModernOnlyModule));
    });

    afterAll(() => app.close());

    it('answers any GET with 405 and Allow: POST, even without a protocol version', async () => {
      const res = await raw(url, 'GET', { accept: 'text/event-stream' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    });
  },
);

describe("a body over the Express app's own parser limit", () => {
  it("answers 413 naming the parser's limit (body-parser's 100 KB), not the endpoint's 4 MB", async () => {
    const { app, url } = await listen('express', ModernOnlyModule, false);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': MODERN,
          'mcp-method': 'tools/call',
          'mcp-name': 'echo',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'x'.repeat(200 * 1024) }, _meta: envelope },
        }),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: unknown }).error).toEqual({
        code: -32600,
        message: 'Request body too large: the limit is 102400 bytes',
        data: { limitBytes: 102400 },
      });
    } finally {
      await app.close();
    }
  });
});
