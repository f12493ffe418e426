import type { Client } from '@modelcontextprotocol/client';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { LocalIssuer } from '../security/local-issuer';
import { openCatalogModule, securedCatalogModule, TargetRecorder } from './discovery.fixture';

type Result = {
  content?: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

const call = (client: Client, name: string, args?: Record<string, unknown>) =>
  client.callTool({ name, ...(args && { arguments: args }) }) as Promise<Result>;
const search = async (client: Client, args: Record<string, unknown>) =>
  (await call(client, 'search_tools', args)).structuredContent as {
    tools: (string | { name: string; description?: string; args?: string })[];
    total: number;
  };
const names = (found: { tools: (string | { name: string })[] }) =>
  found.tools.map((t) => (typeof t === 'string' ? t : t.name));
/** The structured error body of an `isError` result. */
const errorOf = (result: Result) => JSON.parse(result.content![0].text!) as Record<string, unknown>;
/** What a rejected promise threw, to compare two refusals. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: { code?: unknown; message?: string }) => ({ code: e.code, message: e.message }),
  );

describe.each(mcpTestMatrix((s) => s.transport === 'memory' || s.adapter === 'express'))(
  'progressive discovery (%s)',
  (_name, setup) => {
    let t: McpTestApp;
    let client: Client;
    let recorder: TargetRecorder;

    beforeAll(async () => {
      t = await createMcpTestApp({ imports: [openCatalogModule()], ...setup });
      client = t.client;
      recorder = t.app.get(TargetRecorder);
    });
    afterAll(() => t?.close());
    beforeEach(() => recorder.seen.splice(0));

    it('lists the three meta-tools instead of the catalogue', async () => {
      const listed = await client.listTools();
      expect(listed.tools.map((tool) => tool.name)).toEqual([
        'search_tools',
        'describe_tool',
        'call_tool',
      ]);
      expect(listed.nextCursor).toBeUndefined();
      await expect(client.listTools({ cursor: 'cDox' })).rejects.toThrow(/Invalid cursor/);
    });

    it('ranks by name, title, description and tags (BM25)', async () => {
      expect(names(await search(client, { query: 'weather forecast for a city' }))[0]).toBe(
        'weather_forecast',
      );
      expect(names(await search(client, { query: 'track my parcel' }))[0]).toBe('track_parcel');
      const invoices = await search(client, { query: 'invoice', detail: 'minimal' });
      expect(names(invoices).slice(0, 3).sort()).toEqual([
        'export_invoices',
        'get_invoice',
        'list_invoices',
      ]);
      expect(names(invoices)).not.toContain('weather_forecast');
      // Found by a tag only: no name, title or description says "finance".
      expect(names(await search(client, { query: 'finance', detail: 'minimal' })).sort()).toEqual([
        'get_invoice',
        'list_invoices',
      ]);
      // A query that is a tool's name finds that tool first.
      expect(names(await search(client, { query: 'list_invoices' }))[0]).toBe('list_invoices');
      expect(await search(client, { query: 'quantum chromodynamics' })).toEqual({
        tools: [],
        total: 0,
      });
    });

    it('answers minimal, brief and full detail, each larger than the one before', async () => {
      const query = { query: 'list invoices of a customer', limit: 1 };
      const minimal = await search(client, { ...query, detail: 'minimal' });
      const brief = await search(client, { ...query, detail: 'brief' });
      const full = await search(client, { ...query, detail: 'full' });
      expect(minimal.tools).toEqual(['list_invoices']);
      expect(brief.tools).toEqual([
        {
          name: 'list_invoices',
          description: 'List the invoices of a customer, newest first.',
          args: 'customer_id: string, status?: "open"|"paid"|"void", limit?: integer',
        },
      ]);
      const described = (await call(client, 'describe_tool', { name: 'list_invoices' }))
        .structuredContent;
      expect(full.tools).toEqual([described]);
      expect(described).toMatchObject({
        name: 'list_invoices',
        title: 'List invoices',
        inputSchema: { type: 'object', required: ['customer_id'] },
      });
      const size = (x: unknown) => JSON.stringify(x).length;
      expect(size(minimal)).toBeLessThan(size(brief));
      expect(size(brief)).toBeLessThan(size(full));
      // The default detail is brief; limit cuts the list, total counts every match.
      const all = await search(client, { query: 'invoices', limit: 2 });
      expect(all.tools).toHaveLength(2);
      expect(all.total).toBe(3);
      expect(all.tools[0]).toHaveProperty('args');
    });

    it('calls a found tool through call_tool as a direct call, seen by the hooks as that tool', async () => {
      const args = { name: 'get_invoice', arguments: { invoice_id: 'in_42' } };
      const through = await call(client, 'call_tool', args);
      const direct = await call(client, 'get_invoice', { invoice_id: 'in_42' });
      expect(through).toEqual(direct);
      expect(JSON.parse(through.content![0].text!)).toEqual({ invoice_id: 'in_42', total: 120 });
      // The audit, metrics and every other hook see the tool called, never call_tool.
      expect(recorder.seen).toEqual([
        { method: 'tools/call', target: 'get_invoice', arguments: { invoice_id: 'in_42' } },
        { method: 'tools/call', target: 'get_invoice', arguments: { invoice_id: 'in_42' } },
      ]);
    });

    it("refuses through call_tool what the tool's guard refuses directly, with the same error", async () => {
      const args = { customer_id: 'cu_1', limit: 50 };
      const through = await call(client, 'call_tool', { name: 'export_invoices', arguments: args });
      const direct = await call(client, 'export_invoices', args);
      expect(through.isError).toBe(true);
      expect(errorOf(through)).toMatchObject({ code: 'FORBIDDEN' });
      expect(through).toEqual(direct);
      expect(recorder.seen.map((s) => [s.target, s.error])).toEqual([
        ['export_invoices', 'FORBIDDEN'],
        ['export_invoices', 'FORBIDDEN'],
      ]);
      // Within the guard's bounds, both run the tool.
      const small = { customer_id: 'cu_1', limit: 5 };
      expect(
        await call(client, 'call_tool', { name: 'export_invoices', arguments: small }),
      ).toEqual(await call(client, 'export_invoices', small));
    });

    it('counts calls through call_tool and direct calls against the same rate limit', async () => {
      const args = { city: 'Oslo' };
      const first = await call(client, 'call_tool', { name: 'weather_forecast', arguments: args });
      expect(first.isError).toBeFalsy();
      expect(first.content![0].text).toBe('sunny in Oslo (weather_forecast)');
      const direct = await call(client, 'weather_forecast', args);
      expect(errorOf(direct)).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      const again = await call(client, 'call_tool', { name: 'weather_forecast', arguments: args });
      expect(errorOf(again)).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    });

    it('answers bad arguments of the found tool as a direct call does', async () => {
      const bad = { invoice_id: 'DROP TABLE' };
      const through = await call(client, 'call_tool', { name: 'get_invoice', arguments: bad });
      expect(errorOf(through)).toMatchObject({
        code: 'INVALID_ARGUMENTS',
        details: { issues: [{ path: 'invoice_id' }] },
      });
      expect(through).toEqual(await call(client, 'get_invoice', bad));
      // No arguments at all: the same refusal as a direct call without arguments.
      expect(await call(client, 'call_tool', { name: 'get_invoice' })).toEqual(
        await call(client, 'get_invoice'),
      );
    });

    it('answers an unknown tool through call_tool with the error of a direct call', async () => {
      const through = await failure(call(client, 'call_tool', { name: 'no_such_tool' }));
      const direct = await failure(call(client, 'no_such_tool'));
      expect(through).toEqual(direct);
      expect(through).toMatchObject({
        code: -32602,
        message: expect.stringMatching(/Unknown tool: no_such_tool/),
      });
      const described = await call(client, 'describe_tool', { name: 'no_such_tool' });
      expect(described.isError).toBe(true);
      expect(errorOf(described)).toMatchObject({
        code: 'UNKNOWN_TOOL',
        message: 'Unknown tool: no_such_tool',
        suggestions: [expect.stringContaining('search_tools')],
      });
    });

    it('answers malformed meta-tool arguments with structured field errors', async () => {
      const cases: [string, Record<string, unknown>, string[]][] = [
        ['search_tools', {}, ['query']],
        ['search_tools', { query: '   ' }, ['query']],
        ['search_tools', { query: 'x'.repeat(501) }, ['query']],
        ['search_tools', { query: 'invoice', detail: 'everything' }, ['detail']],
        ['search_tools', { query: 'invoice', limit: 0 }, ['limit']],
        ['search_tools', { query: 'invoice', limit: 1.5 }, ['limit']],
        ['search_tools', { query: 'invoice', sort: 'name' }, ['sort']],
        ['describe_tool', {}, ['name']],
        ['describe_tool', { name: 7 }, ['name']],
        ['call_tool', {}, ['name']],
        ['call_tool', { name: 'get_invoice', arguments: 'in_1' }, ['arguments']],
        ['call_tool', { name: 'get_invoice', args: {} }, ['args']],
        // call_tool runs catalogue tools only: no call_tool of call_tool, no meta-tool.
        ['call_tool', { name: 'call_tool', arguments: { name: 'get_invoice' } }, ['name']],
        ['call_tool', { name: 'search_tools', arguments: { query: 'x' } }, ['name']],
      ];
      for (const [tool, args, paths] of cases) {
        const result = await call(client, tool, args);
        expect(result.isError).toBe(true);
        const error = errorOf(result);
        expect(error.code).toBe('INVALID_ARGUMENTS');
        expect((error.details as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(
          paths,
        );
      }
      expect(recorder.seen.every((s) => s.error === 'INVALID_ARGUMENTS')).toBe(true);
    });
  },
);

describe.each([
  ['2026-07-28', 'modern'],
  ['2025-11-25', 'legacy'],
] as const)('progressive discovery behind authorization (%s)', (_era, era) => {
  let issuer: LocalIssuer;
  let t: McpTestApp;
  let reader: Client;
  let admin: Client;

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    const readerToken = await issuer.token({ sub: 'reader', scope: 'billing:read' });
    const adminToken = await issuer.token({
      sub: 'root',
      scope: 'billing:read billing:write',
      roles: ['admin'],
    });
    t = await createMcpTestApp({
      imports: [securedCatalogModule(issuer)],
      transport: 'http',
      adapter: 'express',
      era,
      headers: bearer(readerToken),
    });
    reader = t.client;
    admin = await t.connect(bearer(adminToken));
  });
  afterAll(async () => {
    await t?.close();
    await issuer?.close();
  });

  /**
   * The attack: a caller without the scope or role guesses that a refund or purge tool exists
   * and looks for it every way discovery offers (words of its description, its exact name, the
   * largest limit, full detail), asks for its definition, and calls it through call_tool hoping
   * that the meta-tool skips the checks of a direct call.
   */
  it('never finds a tool hidden from the caller, by any query or detail', async () => {
    const queries = [
      'refund a captured invoice payment',
      'refund_invoice',
      'delete every invoice of the ledger',
      'purge_invoices',
      'billing',
      'finance',
      'invoice',
    ];
    for (const query of queries)
      for (const detail of ['minimal', 'brief', 'full']) {
        const found = names(await search(reader, { query, detail, limit: 50 }));
        expect(found).not.toContain('refund_invoice');
        expect(found).not.toContain('purge_invoices');
      }
    // Someone allowed to see them finds them with the same queries.
    expect(names(await search(admin, { query: 'refund_invoice' }))[0]).toBe('refund_invoice');
    expect(names(await search(admin, { query: 'purge_invoices' }))[0]).toBe('purge_invoices');
  });

  it('answers describe_tool of a hidden tool exactly as of a tool that does not exist', async () => {
    const unknown = errorOf(await call(reader, 'describe_tool', { name: 'no_such_tool' }));
    for (const hidden of ['refund_invoice', 'purge_invoices']) {
      const result = await call(reader, 'describe_tool', { name: hidden });
      expect(result.isError).toBe(true);
      expect(errorOf(result)).toEqual({ ...unknown, message: `Unknown tool: ${hidden}` });
    }
    expect(
      (await call(admin, 'describe_tool', { name: 'purge_invoices' })).structuredContent,
    ).toMatchObject({ name: 'purge_invoices', annotations: { destructiveHint: true } });
  });

  it('refuses call_tool of a hidden tool with the error of a direct call, and never runs it', async () => {
    const recorder = t.app.get(TargetRecorder);
    recorder.seen.splice(0);
    // Hidden by role: unknown, as a direct call answers.
    const purgeThrough = await failure(call(reader, 'call_tool', { name: 'purge_invoices' }));
    const purgeDirect = await failure(call(reader, 'purge_invoices'));
    expect(purgeThrough).toEqual(purgeDirect);
    expect(purgeThrough.message).toMatch(/Unknown tool: purge_invoices/);
    // Needs a scope the caller lacks: 403 insufficient_scope before dispatch, as a direct call.
    const args = { invoice_id: 'in_7' };
    const refundThrough = await failure(
      call(reader, 'call_tool', { name: 'refund_invoice', arguments: args }),
    );
    const refundDirect = await failure(call(reader, 'refund_invoice', args));
    expect(refundThrough).toEqual(refundDirect);
    expect(refundThrough.message).toMatch(/403|insufficient|Forbidden/i);
    expect(recorder.seen.filter((s) => s.target === 'refund_invoice')).toEqual([]);
    // The caller with the scope and role is served through call_tool.
    const refunded = await call(admin, 'call_tool', { name: 'refund_invoice', arguments: args });
    expect(refunded.content![0].text).toBe('refunded in_7');
    expect((await call(admin, 'call_tool', { name: 'purge_invoices' })).content![0].text).toBe(
      'purged',
    );
  });
});
