import { Injectable, Module } from '@nestjs/common';
import {
  McpHook,
  McpModule,
  McpProtocolError,
  type McpAuthRequest,
  type McpHttpExchange,
  type McpIdentity,
  type McpListedEntry,
  type McpRequest,
  type McpRequestHook,
  type McpView,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { FixtureTools } from '../fixtures/fixture.module';

/** The identity of in-memory calls (stdio and in-memory connections have no headers). */
let localIdentity: McpIdentity | undefined;
let views = 0;

/** Entries only callers with the `math` scope may see. */
const MATH_ONLY = new Set(['add', 'fixture://readme', 'summarise']);

const nameOf = (entry: McpListedEntry) =>
  'uri' in entry ? entry.uri : 'template' in entry ? entry.definition.uriTemplate : entry.name;

/** Identity from `x-user` / `x-scopes` headers; `x-user: forged` is refused with a challenge. */
@McpHook()
@Injectable()
class HeaderAuth implements McpRequestHook {
  onHttpRequest({ request, response }: McpHttpExchange) {
    response.setHeader('x-hooked', 'yes');
    if (request.method === 'OPTIONS' && request.headers.origin === 'http://localhost:5173')
      response.writeHead(204, { 'access-control-allow-origin': 'http://localhost:5173' }).end();
  }

  authenticate({ http }: McpAuthRequest): McpIdentity | undefined {
    if (!http) return localIdentity;
    const user = http.request.headers['x-user'];
    if (user === 'forged')
      throw new McpProtocolError(-32001, 'Unauthorized', undefined, 401, undefined, {
        'www-authenticate': 'Bearer realm="test"',
      });
    if (typeof user !== 'string') return undefined;
    const scopes = http.request.headers['x-scopes'];
    return { subject: user, scopes: typeof scopes === 'string' ? scopes.split(' ') : [] };
  }

  view(request: McpRequest): McpView {
    views++;
    const math = request.origin.identity?.scopes?.includes('math') ?? false;
    return { key: math ? 'math' : 'plain', allows: (e) => math || !MATH_ONLY.has(nameOf(e)) };
  }
}

@Module({
  imports: [
    McpModule.forRoot({
      name: 'identity',
      version: '1.0.0',
      // What a list shows depends on the caller here: the dispatcher must keep it private.
      listCacheHint: { ttlMs: 60_000, cacheScope: 'public' },
    }),
  ],
  providers: [FixtureTools, HeaderAuth],
})
class IdentityModule {}

const text = (r: { content?: unknown }) => (r.content as { text: string }[])[0].text;

describe.each(mcpTestMatrix())('identity and views over %s', (_name, setup) => {
  let t: McpTestApp;
  const as = (subject: string, scopes: string) =>
    setup.transport === 'memory'
      ? ((localIdentity = { subject, scopes: scopes.split(' ') }), t.connect())
      : t.connect({ 'x-user': subject, 'x-scopes': scopes });

  beforeAll(async () => {
    t = await createMcpTestApp({ imports: [IdentityModule], ...setup });
  });
  afterAll(() => t.close());
  beforeEach(() => (localIdentity = undefined));

  it('gives every call the identity the hook resolved', async () => {
    const client = await as('alice', 'read');
    const who = JSON.parse(text(await client.callTool({ name: 'whoami', arguments: {} })));
    expect(who.subject).toBe('alice');
  });

  it('hides what the view does not allow from every list', async () => {
    const plain = await as('bob', 'read');
    const tools = (await plain.listTools()).tools.map((x) => x.name);
    expect(tools).toContain('echo');
    expect(tools).not.toContain('add');
    expect((await plain.listResources()).resources.map((r) => r.uri)).not.toContain(
      'fixture://readme',
    );
    expect((await plain.listPrompts()).prompts).toEqual([]);

    const math = await as('carol', 'read math');
    expect((await math.listTools()).tools.map((x) => x.name)).toContain('add');
    expect((await math.listPrompts()).prompts.map((p) => p.name)).toEqual(['summarise']);
  });

  it('answers a call to a hidden entry as if it did not exist', async () => {
    const plain = await as('bob', 'read');
    await expect(plain.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).rejects.toThrow(
      /Unknown tool: add/,
    );
    await expect(plain.readResource({ uri: 'fixture://readme' })).rejects.toThrow(
      /Resource not found/,
    );
    await expect(plain.getPrompt({ name: 'summarise', arguments: { topic: 'x' } })).rejects.toThrow(
      /Unknown prompt: summarise/,
    );
    const math = await as('carol', 'math');
    expect(
      (await math.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).structuredContent,
    ).toEqual({ sum: 3 });
  });

  it('asks the view on every list and call, so a change of identity shows at once', async () => {
    const before = views;
    const client = await as('dave', 'math');
    await client.listTools();
    await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    expect(views - before).toBeGreaterThanOrEqual(2);
  });
});

describe.each(['express', 'fastify'] as const)('authentication over HTTP on %s', (adapter) => {
  let t: McpTestApp;
  beforeAll(async () => {
    t = await createMcpTestApp({ imports: [IdentityModule], transport: 'http', adapter });
  });
  afterAll(() => t.close());

  const post = (headers: Record<string, string>) =>
    fetch(t.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/list',
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: {
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });

  it('answers a refused authentication with its status and challenge, before the era', async () => {
    const res = await post({ 'x-user': 'forged' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="test"');
    expect(res.headers.get('x-hooked')).toBe('yes');
    expect(await res.json()).toMatchObject({ error: { code: -32001, message: 'Unauthorized' } });
  });

  it('lets an HTTP hook answer a preflight, and answers other OPTIONS with Allow', async () => {
    const preflight = await fetch(t.url!, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const plain = await fetch(t.url!, { method: 'OPTIONS' });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('allow')).toBe('GET, POST, DELETE');
  });

  it('never lets a shared cache keep lists that differ per caller', async () => {
    const body = (await (await post({ 'x-user': 'erin', 'x-scopes': 'math' })).json()) as {
      result: { cacheScope: string };
    };
    expect(body).toMatchObject({ result: { ttlMs: 60_000, cacheScope: 'private' } });
  });
});
