import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Client } from '@modelcontextprotocol/client';
import {
  isMcpDefinitionError,
  McpHook,
  McpModule,
  McpProtocolError,
  type McpRelease,
  type McpRequest,
  type McpRequestHook,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { FixtureTools } from '../fixtures/fixture.module';

/** Records what every hook saw, in order. */
const seen: string[] = [];
const results: { method: string; target?: string; result: unknown }[] = [];
let refuseNext: McpProtocolError | undefined;
let released = 0;
const refusals: { method: string; error: unknown }[] = [];

@McpHook({ order: 10 })
@Injectable()
class InnerHook implements McpRequestHook {
  async around(request: McpRequest, next: () => Promise<unknown>) {
    seen.push(`inner:${request.method}`);
    return next();
  }

  refused(request: McpRequest, error: unknown) {
    refusals.push({ method: request.method, error });
  }
}

@McpHook({ order: -10 })
@Injectable()
class OuterHook implements McpRequestHook {
  admit(request: McpRequest): McpRelease | undefined {
    if (request.method !== 'tools/call') return undefined;
    const refusal = refuseNext;
    refuseNext = undefined;
    if (refusal) throw refusal;
    return () => {
      released++;
    };
  }

  async around(request: McpRequest, next: () => Promise<unknown>) {
    seen.push(`outer:${request.method}`);
    const result = await next();
    results.push({ method: request.method, target: request.target, result });
    return result;
  }
}

@McpHook({ server: 'someone-else' })
@Injectable()
class OtherServerHook implements McpRequestHook {
  async around(_request: McpRequest, next: () => Promise<unknown>) {
    seen.push('other-server');
    return next();
  }
}

@McpHook()
@Injectable()
class DisabledHook implements McpRequestHook {
  enabledFor(server: string) {
    return server !== 'hooked';
  }
  async around(_request: McpRequest, next: () => Promise<unknown>) {
    seen.push('disabled');
    return next();
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'hooked', version: '1.0.0' })],
  providers: [FixtureTools, InnerHook, OuterHook, OtherServerHook, DisabledHook],
})
class HookedModule {}

const overloaded = () =>
  new McpProtocolError(-32000, 'Server overloaded', { code: 'OVERLOADED' }, 503, 2_500);

const body = (r: Awaited<ReturnType<Client['callTool']>>) =>
  JSON.parse((r.content as { text: string }[])[0].text) as { code: string };

describe.each(mcpTestMatrix())('request hooks over %s', (_name, setup) => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({ imports: [HookedModule], ...setup });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    seen.length = 0;
    results.length = 0;
    refusals.length = 0;
    released = 0;
  });

  it('wraps every request, outermost first, and only the hooks enabled for this server', async () => {
    await t.client.listTools();
    await t.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(seen).toEqual([
      'outer:tools/list',
      'inner:tools/list',
      'outer:tools/call',
      'inner:tools/call',
    ]);
    expect(results.at(-1)).toMatchObject({
      method: 'tools/call',
      target: 'echo',
      result: { content: [{ type: 'text', text: 'hi' }] },
    });
  });

  it('sees the mapped result of calls that a guard or validation refused', async () => {
    await t.client.callTool({ name: 'guarded', arguments: { text: 'x', deny: true } });
    await t.client.callTool({ name: 'add', arguments: { a: 'x', b: 1 } });
    const codes = results.map((r) => body(r.result as never).code);
    expect(codes).toEqual(['FORBIDDEN', 'INVALID_ARGUMENTS']);
  });

  it('releases an admitted call once it is answered', async () => {
    await t.client.callTool({ name: 'echo', arguments: { text: 'a' } });
    // Over HTTP the release runs when the response closes, just after the client has it.
    const deadline = Date.now() + 10_000;
    while (released === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(released).toBe(1);
  });

  it('answers a refused request with the JSON-RPC error and serves the next one', async () => {
    refuseNext = overloaded();
    await expect(t.client.callTool({ name: 'echo', arguments: { text: 'a' } })).rejects.toThrow(
      /Server overloaded/,
    );
    expect(seen).toEqual([]);
    expect(refusals).toEqual([{ method: 'tools/call', error: expect.any(McpProtocolError) }]);
    const next = await t.client.callTool({ name: 'echo', arguments: { text: 'b' } });
    expect(next.content).toEqual([{ type: 'text', text: 'b' }]);
  });
});

describe.each(['express', 'fastify'] as const)('admission over HTTP on %s', (adapter) => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [HookedModule],
      transport: 'http',
      adapter,
      era: 'modern',
    });
  });
  afterAll(() => t.close());

  it('answers a refusal with its HTTP status and Retry-After', async () => {
    refuseNext = overloaded();
    const res = await fetch(t.url!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'echo',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: {
          name: 'echo',
          arguments: { text: 'x' },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32000, message: 'Server overloaded', data: { code: 'OVERLOADED' } },
    });
  });
});

describe('request hook definitions', () => {
  it('refuses a hook without admit() or around() at boot', async () => {
    @McpHook()
    @Injectable()
    class Empty {}
    @Module({
      imports: [McpModule.forRoot({ name: 'empty-hook', version: '1' })],
      providers: [Empty],
    })
    class EmptyHookModule {}
    const module = await Test.createTestingModule({ imports: [EmptyHookModule] }).compile();
    const app = module.createNestApplication({ logger: false });
    const error = await app.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    await app.close();
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toMatch(/Empty implements none of/);
  });
});
