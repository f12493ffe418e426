import type { McpContext } from '../context/mcp-context';
import { isMcpProtocolError } from '../errors/mcp-protocol.error';
import { RequestHooks } from '../hooks/request-hooks';
import type { McpRequest } from '../hooks/mcp-request-hook.interface';
import type { McpIdentity } from '../interfaces/mcp-identity.interface';
import { McpRegistry } from '../registry/mcp-registry';
import type { ToolEntry } from '../registry/registry.interfaces';
import { createMcpCall, type McpCall } from './mcp-call.interface';
import { MAX_ARGUMENTS_DEPTH, McpDispatcher } from './mcp-dispatcher';

const form = { mode: 'form', message: 'Approve?', requestedSchema: { type: 'object' } };

/** A dynamic tool entry named `name` that runs `invoke`. */
function tool(name: string, invoke: ToolEntry['invoke']): ToolEntry {
  return {
    name,
    source: `Fixture.${name}`,
    handler: { kind: 'dynamic', options: { name } },
    definition: { name, inputSchema: { type: 'object' } },
    invoke,
  };
}

/** A tool that asks one question, then answers with what it was told. */
function asking(name: string): ToolEntry {
  return tool(name, async (_args, ctx: McpContext) => ({
    content: [{ type: 'text', text: JSON.stringify(await ctx.elicit(form as never, 'ok')) }],
  }));
}

function dispatcher(hooks?: RequestHooks): McpDispatcher {
  const registry = new McpRegistry('d');
  registry.addTool(asking('approve'));
  registry.addTool(asking('delete_everything'));
  registry.addTool(
    tool('fails', async () => {
      throw new Error('db password is hunter2');
    }),
  );
  return new McpDispatcher({ name: 'd', version: '1' }, registry, hooks);
}

function call(
  name: string,
  extra: { identity?: McpIdentity; requestState?: unknown; inputResponses?: object } = {},
): McpCall {
  return createMcpCall({
    server: 'd',
    id: 1,
    method: 'tools/call',
    params: { name, arguments: {} },
    envelope: { 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } },
    origin: { transport: 'memory', era: 'modern', identity: extra.identity },
    signal: new AbortController().signal,
    requestState: extra.requestState,
    inputResponses: extra.inputResponses as Record<string, unknown> | undefined,
    notify: async () => undefined,
    log: async () => undefined,
    send: async () => undefined,
  });
}

const alice = { subject: 'alice' };
const mallory = { subject: 'mallory' };
const yes = { ok: { action: 'accept', content: {} } };

describe('McpDispatcher', () => {
  it('continues a flow with the requestState it minted, for the same tool and caller', async () => {
    const d = dispatcher();
    const first = await d.dispatch(call('approve', { identity: alice }));
    expect(first).toMatchObject({ resultType: 'input_required' });
    const second = await d.dispatch(
      call('approve', {
        identity: alice,
        requestState: first.requestState,
        inputResponses: yes,
      }),
    );
    expect(second).toEqual({ content: [{ type: 'text', text: JSON.stringify(yes.ok) }] });
  });

  it('refuses a requestState replayed on another tool (the approval of one action reused for another)', async () => {
    const d = dispatcher();
    const minted = await d.dispatch(call('approve', { identity: alice }));
    // The attack: the state sealed for `approve` is echoed on `delete_everything` with the same
    // answers, so that the second tool would believe the user already approved.
    const replayed = d.dispatch(
      call('delete_everything', {
        identity: alice,
        requestState: minted.requestState,
        inputResponses: yes,
      }),
    );
    await expect(replayed).rejects.toMatchObject({
      code: -32602,
      message: 'Invalid or expired requestState',
      data: { reason: 'invalid_request_state' },
    });
  });

  it("refuses a requestState replayed by another caller (someone else's flow)", async () => {
    const d = dispatcher();
    const alices = await d.dispatch(call('approve', { identity: alice }));
    // The attack: Mallory obtains the state of Alice's flow and continues it as his own.
    await expect(
      d.dispatch(
        call('approve', {
          identity: mallory,
          requestState: alices.requestState,
          inputResponses: yes,
        }),
      ),
    ).rejects.toMatchObject({ code: -32602, data: { reason: 'invalid_request_state' } });
    // Nor can an anonymous caller continue it.
    await expect(
      d.dispatch(call('approve', { requestState: alices.requestState, inputResponses: yes })),
    ).rejects.toMatchObject({ code: -32602 });
  });

  it('refuses a requestState sealed by another server (another secret)', async () => {
    const minted = await dispatcher().dispatch(call('approve'));
    await expect(
      dispatcher().dispatch(call('approve', { requestState: minted.requestState })),
    ).rejects.toMatchObject({ data: { reason: 'invalid_request_state' } });
  });

  it('hands hooks the ToolError behind an isError result, masked for the client', async () => {
    const seen: McpRequest[] = [];
    const hooks = new RequestHooks([
      {
        around: async (request, next) => {
          const result = await next();
          seen.push(request);
          return result;
        },
      },
    ]);
    const result = await dispatcher(hooks).dispatch(call('fails'));
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(seen[0].toolError).toMatchObject({ code: 'INTERNAL_ERROR', retryable: false });
    expect(seen[0].toolError!.details!.correlationId).toEqual(expect.any(String));
  });

  it('rejects only with Rampart protocol errors', async () => {
    const d = dispatcher();
    const errors = await Promise.all([
      d.dispatch(call('nope')).catch((e: unknown) => e),
      d.dispatch({ ...call('approve'), method: 'tools/nope' }).catch((e: unknown) => e),
      d
        .dispatch({ ...call('approve'), params: { name: 'approve', arguments: 'x' } })
        .catch((e: unknown) => e),
    ]);
    expect(errors.map((e) => isMcpProtocolError(e))).toEqual([true, true, true]);
    expect(errors.map((e) => (e as { code: number }).code)).toEqual([-32602, -32601, -32602]);
  });

  it('refuses arguments nested past MAX_ARGUMENTS_DEPTH before the tool or any policy runs', async () => {
    let ran = 0;
    const registry = new McpRegistry('d');
    registry.addTool(
      tool('takes', async () => {
        ran++;
        return 'ran';
      }),
    );
    const d = new McpDispatcher({ name: 'd', version: '1' }, registry);
    /** Arguments whose objects and arrays nest `levels` deep, the arguments object included. */
    const nested = (levels: number) => {
      let value: unknown = 'leaf';
      for (let i = 1; i < levels; i++) value = i % 2 ? [value] : { d: value };
      return { value };
    };
    const callWith = (args: unknown) =>
      d.dispatch({ ...call('takes'), params: { name: 'takes', arguments: args } });

    await expect(callWith(nested(MAX_ARGUMENTS_DEPTH))).resolves.toMatchObject({
      content: [{ type: 'text', text: 'ran' }],
    });
    for (const args of [nested(MAX_ARGUMENTS_DEPTH + 1), nested(200_000)])
      await expect(callWith(args)).rejects.toMatchObject({
        code: -32602,
        message: `Invalid params: "arguments" nest deeper than ${MAX_ARGUMENTS_DEPTH} levels`,
      });
    // An object graph with a cycle (only an in-process caller can build one) ends the same way.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(callWith(cyclic)).rejects.toMatchObject({ code: -32602 });
    expect(ran).toBe(1);
  });
});
