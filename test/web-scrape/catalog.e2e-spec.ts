import type { Client } from '@modelcontextprotocol/client';
import { McpServers } from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { CATALOG_TOOLS } from '../../apps/web-scrape/src/catalog/catalog.tools';
import { LocalIssuer } from '../security/local-issuer';

type Result = { content: { text: string }[]; isError?: boolean };

const call = (client: Client, name: string, args: Record<string, unknown>) =>
  client.callTool({ name, arguments: args }) as Promise<Result>;
const json = (result: Result) => JSON.parse(result.content[0].text) as Record<string, unknown>;
const found = async (client: Client, query: string, limit = 10) =>
  (
    json(await call(client, 'search_tools', { query, detail: 'minimal', limit })) as {
      tools: string[];
    }
  ).tools;

const app = (options: Parameters<typeof AppModule.forRoot>[0] = {}) =>
  AppModule.forRoot({ redisUrl: undefined, logLevel: 'error', ...options });

describe('the catalogue of generated tools', () => {
  it('has 360 read-only tools, each with a closed input schema, a title, a description and tags', () => {
    expect(CATALOG_TOOLS).toHaveLength(360);
    expect(new Set(CATALOG_TOOLS.map((t) => t.name)).size).toBe(360);
    for (const tool of CATALOG_TOOLS) {
      expect(tool.name).toMatch(/^[a-z_]+$/);
      expect(tool.description.length).toBeGreaterThan(20);
      expect(tool.input).toMatchObject({ type: 'object', additionalProperties: false });
      expect(tool.tags).toHaveLength(2);
    }
  });
});

describe.each(mcpTestMatrix((s) => s.transport === 'http' && s.adapter === 'express'))(
  'web-scrape with its catalogue server (%s)',
  (_name, setup) => {
    let t: McpTestApp;
    let client: Client;

    beforeAll(async () => {
      t = await createMcpTestApp({ server: 'catalog', imports: [app()], ...setup });
      client = t.client;
    });
    afterAll(() => t?.close());

    it('serves the catalogue at /catalog/mcp with three meta-tools listed for 360 tools', async () => {
      expect(t.url!.pathname).toBe('/catalog/mcp');
      const servers = t.app.get(McpServers);
      expect(servers.names().sort()).toEqual(['catalog', 'web-scrape']);
      expect(servers.get('catalog').registry.tools.size).toBe(360);
      const { tools } = await client.listTools();
      expect(tools.map((x) => x.name)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
    });

    it('finds tools by what the model wants to do', async () => {
      expect((await found(client, 'overdue invoices', 3)).includes('list_invoices')).toBe(true);
      expect((await found(client, 'track a parcel shipment by tracking number', 3))[0]).toBe(
        'find_shipments_by_tracking_number',
      );
      expect((await found(client, 'incident severity history', 5)).slice(0, 5)).toContain(
        'get_incident_history',
      );
      // The scraping tools belong to the web-scrape server only.
      expect(await found(client, 'scrape_url', 50)).not.toContain('scrape_url');
      await expect(client.callTool({ name: 'scrape_url', arguments: {} })).rejects.toThrow(
        /Unknown tool: scrape_url/,
      );
    });

    it('calls a catalogue tool through call_tool, its schema checked', async () => {
      const invoice = await call(client, 'call_tool', {
        name: 'get_invoice',
        arguments: { invoice_id: 'in_20931' },
      });
      expect(json(invoice)).toMatchObject({ id: 'in_20931', currency: expect.any(String) });
      const bad = await call(client, 'call_tool', {
        name: 'get_invoice',
        arguments: { invoice_id: '../../etc/passwd' },
      });
      expect(bad.isError).toBe(true);
      expect(json(bad)).toMatchObject({
        code: 'INVALID_ARGUMENTS',
        details: { issues: [{ path: 'invoice_id' }] },
      });
      const extra = await call(client, 'call_tool', {
        name: 'count_invoices',
        arguments: { since: '2026-01-01', drop: 'tables' },
      });
      expect(json(extra)).toMatchObject({ code: 'INVALID_ARGUMENTS' });
    });

    it('keeps the web-scrape server to its own tools', async () => {
      const scraper = t.app.get(McpServers).get('web-scrape');
      expect(
        scraper.registry.tools
          .list()
          .map((x) => x.name)
          .sort(),
      ).toEqual([
        'batch_scrape',
        'cancel_task',
        'crawl_site',
        'get_metrics',
        'get_task_result',
        'get_task_status',
        'scrape_url',
      ]);
    });
  },
);

describe('web-scrape catalogue options', () => {
  it('lists every tool with discovery list, in pages', async () => {
    const t = await createMcpTestApp({
      server: 'catalog',
      imports: [app({ catalog: { discovery: 'list' } })],
    });
    try {
      let cursor: string | undefined;
      const names: string[] = [];
      do {
        const page = await t.client.listTools(cursor ? { cursor } : {});
        names.push(...page.tools.map((x) => x.name));
        cursor = page.nextCursor;
      } while (cursor);
      expect(names).toHaveLength(360);
      expect(names).toContain('summarize_expenses');
    } finally {
      await t.close();
    }
  });

  it('leaves the catalogue out with catalog: false, and on stdio', async () => {
    for (const options of [{ catalog: false as const }, { stdio: true }]) {
      const t = await createMcpTestApp({ imports: [app(options)] });
      try {
        expect(t.app.get(McpServers).names()).toEqual(['web-scrape']);
      } finally {
        await t.close();
      }
    }
  });
});

/** The tools of the people records (domain `hr`), which need the scope catalog:hr. */
const PEOPLE = new Set(CATALOG_TOOLS.filter((x) => x.tags[0] === 'hr').map((x) => x.name));

describe('the catalogue behind authentication', () => {
  let issuer: LocalIssuer;
  let t: McpTestApp;
  let hr: Client;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    t = await createMcpTestApp({
      server: 'catalog',
      imports: [
        app({
          security: {
            resource: 'https://mcp.test/mcp',
            jwt: { issuer: issuer.issuer, jwksUrl: issuer.jwksUrl },
          },
        }),
      ],
      transport: 'http',
      headers: {
        authorization: `Bearer ${await issuer.token({ sub: 'a', scope: 'catalog:read' })}`,
      },
    });
    hr = await t.connect({
      authorization: `Bearer ${await issuer.token({ sub: 'h', scope: 'catalog:read catalog:hr' })}`,
    });
  });
  afterAll(async () => {
    await t?.close();
    await issuer?.close();
  });

  it('never shows the people records to a caller without catalog:hr', async () => {
    expect(PEOPLE.size).toBe(45);
    for (const query of ['employee', 'payroll run', 'leave request', 'get_employee', 'people']) {
      const names = await found(t.client, query, 50);
      expect(names.filter((n) => PEOPLE.has(n))).toEqual([]);
    }
    expect(await found(t.client, 'find expenses by employee', 1)).toEqual([
      'find_expenses_by_employee_id',
    ]);
    expect(await found(hr, 'get_employee', 1)).toEqual(['get_employee']);
    await expect(
      call(t.client, 'call_tool', { name: 'get_employee', arguments: { employee_id: 'emp_1' } }),
    ).rejects.toThrow(/403|insufficient|Forbidden/i);
    expect(
      json(
        await call(hr, 'call_tool', { name: 'get_employee', arguments: { employee_id: 'emp_1' } }),
      ),
    ).toMatchObject({ id: 'emp_1' });
  });
});
