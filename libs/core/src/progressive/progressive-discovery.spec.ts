import { McpDispatcher } from '../dispatch/mcp-dispatcher';
import { createMcpCall, type McpCall } from '../dispatch/mcp-call.interface';
import { isMcpDefinitionError } from '../errors/mcp-definition.error';
import { RequestHooks } from '../hooks/request-hooks';
import type { McpListedEntry, McpRequest, McpView } from '../hooks/mcp-request-hook.interface';
import { McpRegistry } from '../registry/mcp-registry';
import type { ToolEntry } from '../registry/registry.interfaces';
import { firstSentence, signature } from './progressive-discovery';

function tool(name: string, description: string): ToolEntry {
  return {
    name,
    source: `Fixture.${name}`,
    handler: { kind: 'dynamic', options: { name } },
    definition: { name, description, inputSchema: { type: 'object' } },
    invoke: async (args) => ({
      content: [{ type: 'text', text: `${name} ${JSON.stringify(args)}` }],
    }),
  };
}

function registry(): McpRegistry {
  const r = new McpRegistry('p');
  r.addTool(tool('get_invoice', 'Fetch one invoice by id.'));
  r.addTool(tool('list_invoices', 'List the invoices of a customer.'));
  r.addTool(tool('secret_ledger', 'The invoice ledger, for auditors.'));
  return r;
}

function call(name: string, args: Record<string, unknown>, identity?: string): McpCall {
  return createMcpCall({
    server: 'p',
    id: 1,
    method: 'tools/call',
    params: { name, arguments: args },
    origin: {
      transport: 'memory',
      era: 'modern',
      ...(identity && { identity: { subject: identity } }),
    },
    signal: new AbortController().signal,
    notify: async () => undefined,
    log: async () => undefined,
    send: async () => undefined,
  });
}

/** Auditors see everything; everyone else all but the ledger. */
const auditorsOnly = {
  view: (request: McpRequest): McpView => {
    const auditor = request.origin.identity?.subject === 'auditor';
    return {
      key: auditor ? 'auditor' : 'other',
      allows: (entry: McpListedEntry) =>
        auditor || !('name' in entry && entry.name === 'secret_ledger'),
    };
  },
};

const found = (result: Record<string, unknown>) =>
  (result.structuredContent as { tools: string[] }).tools;

describe('ProgressiveDiscovery', () => {
  it('builds one index per visibility class and registry revision, not per call', async () => {
    const r = registry();
    const tagged: string[] = [];
    const dispatcher = new McpDispatcher(
      {
        name: 'p',
        version: '1',
        discovery: { mode: 'progressive', tagsOf: (t) => (tagged.push(t.name), []) },
      },
      r,
      new RequestHooks([auditorsOnly]),
    );
    const search = (who: string) =>
      dispatcher.dispatch(
        call('search_tools', { query: 'invoice ledger', detail: 'minimal' }, who),
      );

    expect(found(await search('bob'))).not.toContain('secret_ledger');
    expect(found(await search('carol'))).not.toContain('secret_ledger');
    expect(tagged).toHaveLength(2); // one index of the two tools 'other' may see
    expect(found(await search('auditor'))[0]).toBe('secret_ledger');
    await search('auditor');
    expect(tagged).toHaveLength(5); // and one of the three an auditor sees
    r.addTool(tool('void_invoice', 'Void an invoice.'));
    expect(found(await search('bob'))).toContain('void_invoice');
    expect(tagged).toHaveLength(8); // rebuilt once after the change
  });

  it('serves call_tool as the tools/call it stands for, admitted as that tool', async () => {
    const admitted: (string | undefined)[] = [];
    const dispatcher = new McpDispatcher(
      { name: 'p', version: '1', discovery: { mode: 'progressive' } },
      registry(),
      new RequestHooks([{ admit: (request) => void admitted.push(request.target) }]),
    );
    const result = await dispatcher.dispatch(
      call('call_tool', { name: 'get_invoice', arguments: { id: 'in_1' } }),
    );
    expect(result).toEqual({ content: [{ type: 'text', text: 'get_invoice {"id":"in_1"}' }] });
    expect(admitted).toEqual(['get_invoice']);
    // The transports rewrite a request before admission; a plain one is left as it is.
    const message = {
      method: 'tools/call',
      params: { name: 'call_tool', arguments: { name: 'x' } },
    };
    expect(dispatcher.resolve(message)).toEqual({ method: 'tools/call', params: { name: 'x' } });
    const other = { method: 'tools/call', params: { name: 'get_invoice' } };
    expect(dispatcher.resolve(other)).toBe(other);
  });

  it('leaves a server in list mode as it was: call_tool is an unknown tool there', async () => {
    const dispatcher = new McpDispatcher({ name: 'p', version: '1' }, registry());
    const listed = dispatcher.list('tools/list', undefined);
    expect((listed.tools as { name: string }[]).map((t) => t.name)).toEqual([
      'get_invoice',
      'list_invoices',
      'secret_ledger',
    ]);
    await expect(
      dispatcher.dispatch(call('call_tool', { name: 'get_invoice' })),
    ).rejects.toMatchObject({ message: 'Unknown tool: call_tool' });
  });

  it('refuses at boot a tool that takes a meta-tool name', () => {
    const r = registry();
    r.addTool(tool('search_tools', 'My own search.'));
    let error: unknown;
    try {
      new McpDispatcher({ name: 'p', version: '1', discovery: { mode: 'progressive' } }, r);
    } catch (e) {
      error = e;
    }
    expect(isMcpDefinitionError(error)).toBe(true);
    expect(String(error)).toMatch(/Fixture\.search_tools.*meta-tool/);
  });

  it('writes arguments as a signature and cuts descriptions to their first sentence', () => {
    expect(
      signature({
        type: 'object',
        properties: {
          id: { type: 'string' },
          status: { enum: ['open', 'paid'] },
          tags: { type: 'array', items: { type: 'string' } },
          kinds: { type: 'array', items: { enum: ['a', 'b'] } },
          when: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          raw: {},
        },
        required: ['id'],
      }),
    ).toBe(
      'id: string, status?: "open"|"paid", tags?: string[], kinds?: ("a"|"b")[], when?: string|null, raw?: any',
    );
    expect(signature({ type: 'object' })).toBe('');
    expect(firstSentence('Fetch a page.  Large pages come back as a link.')).toBe('Fetch a page.');
    expect(firstSentence('Version 1.2 of the\nAPI')).toBe('Version 1.2 of the API');
    expect(firstSentence('x'.repeat(400))).toHaveLength(160);
  });
});
