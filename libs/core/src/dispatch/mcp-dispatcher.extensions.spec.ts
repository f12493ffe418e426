import type { McpContext } from '../context/mcp-context';
import {
  isMcpProtocolError,
  JsonRpcErrorCode,
  McpProtocolError,
} from '../errors/mcp-protocol.error';
import { AnswerSignal } from '../extensions/answer.signal';
import type { McpProtocolExtension } from '../extensions/mcp-extension.interface';
import { McpRegistry } from '../registry/mcp-registry';
import type { ToolEntry } from '../registry/registry.interfaces';
import { createMcpCall, type McpCall } from './mcp-call.interface';
import { McpDispatcher } from './mcp-dispatcher';

function tool(
  name: string,
  invoke: ToolEntry['invoke'],
  extra: Partial<ToolEntry> = {},
): ToolEntry {
  return {
    name,
    source: `Fixture.${name}`,
    handler: { kind: 'dynamic', options: { name } },
    definition: { name, inputSchema: { type: 'object' } },
    invoke,
    ...extra,
  };
}

function call(
  method: string,
  params: Record<string, unknown>,
  era: 'modern' | 'legacy' = 'modern',
  extra: Partial<Pick<McpCall, 'rounds' | 'inputResponses'>> = {},
): McpCall {
  return createMcpCall({
    server: 'x',
    id: 1,
    method,
    params,
    envelope: { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } },
    origin: { transport: 'memory', era },
    signal: new AbortController().signal,
    notify: async () => undefined,
    log: async () => undefined,
    send: async () => ({ action: 'accept', content: { via: 'request' } }),
    ...extra,
  });
}

const text = (t: string) => ({ content: [{ type: 'text', text: t }] });

function dispatcher(...extensions: McpProtocolExtension[]): McpDispatcher {
  const registry = new McpRegistry('x');
  registry.addTool(tool('echo', async () => text('echoed')));
  registry.addTool(
    tool('hands_off', async () => {
      throw new AnswerSignal(async () => ({ resultType: 'task', taskId: 't-1' }));
    }),
  );
  registry.addTool(
    tool(
      'asks',
      async (_args, ctx: McpContext) =>
        text(
          JSON.stringify(
            await ctx.elicit({ message: 'ok?', requestedSchema: { type: 'object' } } as never, 'k'),
          ),
        ),
      { execution: { taskSupport: 'optional' } },
    ),
  );
  return new McpDispatcher({ name: 'x', version: '1' }, registry, undefined, extensions);
}

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

describe('McpDispatcher extensions', () => {
  it("serves an extension's methods in the eras it names, and -32601 in the others", async () => {
    const d = dispatcher({
      methods: {
        'echo/say': { eras: ['modern'], handle: (c) => ({ said: c.params.text }) },
        'echo/both': { handle: () => ({ both: true }) },
      },
    });
    await expect(d.dispatch(call('echo/say', { text: 'hi' }))).resolves.toEqual({ said: 'hi' });
    await expect(d.dispatch(call('echo/both', {}, 'legacy'))).resolves.toEqual({ both: true });
    const refused = await rejection(d.dispatch(call('echo/say', { text: 'hi' }, 'legacy')));
    expect(isMcpProtocolError(refused) && refused.code).toBe(JsonRpcErrorCode.MethodNotFound);
    expect(d.addedMethods).toEqual(['echo/say', 'echo/both']);
  });

  it('answers the protocol error an extension method throws', async () => {
    const d = dispatcher({
      methods: {
        'x/get': {
          handle: () => {
            throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, 'no such thing');
          },
        },
      },
    });
    const refused = await rejection(d.dispatch(call('x/get', {})));
    expect(refused).toMatchObject({
      code: JsonRpcErrorCode.InvalidParams,
      message: 'no such thing',
    });
  });

  it('refuses an extension that would replace a core method', () => {
    expect(() => dispatcher({ methods: { 'tools/call': { handle: () => ({}) } } })).toThrow(
      /already serves/,
    );
  });

  it('declares per-era capabilities, merged one level deep', () => {
    const d = dispatcher(
      {
        capabilities: { modern: { extensions: { 'a/one': {} } }, legacy: { tasks: { list: {} } } },
      },
      { capabilities: { modern: { extensions: { 'b/two': {} } } } },
    );
    expect(d.modernCapabilities).toMatchObject({ extensions: { 'a/one': {}, 'b/two': {} } });
    expect(d.modernCapabilities).not.toHaveProperty('tasks');
    expect(d.capabilities).toMatchObject({ tasks: { list: {} }, tools: { listChanged: true } });
    expect(d.capabilities).not.toHaveProperty('extensions');
    expect(d.discover()).toMatchObject({ capabilities: d.modernCapabilities });
  });

  it('keeps one capabilities object when no extension declares any', () => {
    const d = dispatcher();
    expect(d.modernCapabilities).toBe(d.capabilities);
  });

  it('lets callTool answer instead of running the tool, or run it', async () => {
    const seen: string[] = [];
    const d = dispatcher({
      callTool: async (c, t, run) => {
        seen.push(t.name);
        return t.name === 'echo' ? { resultType: 'task', taskId: 'abc' } : run();
      },
    });
    await expect(d.dispatch(call('tools/call', { name: 'echo' }))).resolves.toEqual({
      resultType: 'task',
      taskId: 'abc',
    });
    await expect(d.dispatch(call('tools/call', { name: 'asks' }))).resolves.toMatchObject({
      resultType: 'input_required',
    });
    // Unknown tools never reach the extension.
    await expect(
      rejection(d.dispatch(call('tools/call', { name: 'nope' }))),
    ).resolves.toMatchObject({
      code: JsonRpcErrorCode.InvalidParams,
    });
    expect(seen).toEqual(['echo', 'asks']);
  });

  it('nests callTool of several extensions, the first outermost', async () => {
    const order: string[] = [];
    const wrap = (name: string): McpProtocolExtension => ({
      callTool: async (_c, _t, run) => {
        order.push(`${name}>`);
        const result = await run();
        order.push(`<${name}`);
        return result;
      },
    });
    await dispatcher(wrap('a'), wrap('b')).dispatch(call('tools/call', { name: 'echo' }));
    expect(order).toEqual(['a>', 'b>', '<b', '<a']);
  });

  it('answers what an AnswerSignal thrown on the call path resolves to', async () => {
    await expect(dispatcher().dispatch(call('tools/call', { name: 'hands_off' }))).resolves.toEqual(
      {
        resultType: 'task',
        taskId: 't-1',
      },
    );
  });

  it('gathers input in rounds when the call says so, whatever its era', async () => {
    const d = dispatcher();
    await expect(d.dispatch(call('tools/call', { name: 'asks' }, 'legacy'))).resolves.toEqual(
      text(JSON.stringify({ action: 'accept', content: { via: 'request' } })),
    );
    const round = await d.dispatch(
      call('tools/call', { name: 'asks' }, 'legacy', { rounds: true }),
    );
    expect(round).toMatchObject({ resultType: 'input_required', inputRequests: { k: {} } });
    const answered = await d.dispatch(
      call('tools/call', { name: 'asks' }, 'legacy', {
        rounds: true,
        inputResponses: { k: { action: 'accept', content: { via: 'round' } } },
      }),
    );
    expect(answered).toEqual(text(JSON.stringify({ action: 'accept', content: { via: 'round' } })));
  });

  it('lists execution.taskSupport to 2025-11-25 clients only', () => {
    const d = dispatcher();
    const tools = (era: 'modern' | 'legacy') =>
      (
        d.list('tools/list', undefined, undefined, era).tools as {
          name: string;
          execution?: unknown;
        }[]
      ).find((t) => t.name === 'asks');
    expect(tools('legacy')).toMatchObject({ execution: { taskSupport: 'optional' } });
    expect(tools('modern')).not.toHaveProperty('execution');
  });
});
