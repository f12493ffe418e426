import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { createMcpTestApp, mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import type { BatchResult } from '../../apps/web-scrape/src/scrape.tools';
import { waitFor } from './built-app';
import {
  ARTICLE_TEXT,
  closedPortUrl,
  FIXTURE_EGRESS,
  FixtureSite,
  LARGE_TEXT,
} from './fixture-site';

type CallResult = Awaited<ReturnType<Client['callTool']>>;
const batchOf = (result: CallResult) => result.structuredContent as BatchResult;

/**
 * A site that holds the requests it gets. Once `width` are held it waits a moment before
 * answering them all, so that a client sending more at once would be seen (`most`); the last
 * expected request releases what is held at once. A client that keeps to `width` passes whatever
 * the timing: it cannot send another while `width` are held.
 */
class Gate {
  private server?: Server;
  private held: ServerResponse[] = [];
  private received = 0;
  private timer?: NodeJS.Timeout;
  /** Most requests held at once. */
  most = 0;
  url = '';

  constructor(
    private readonly expected: number,
    private readonly width: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.received++;
      this.held.push(res);
      this.most = Math.max(this.most, this.held.length);
      if (this.received === this.expected) this.release();
      else if (this.held.length === this.width) this.timer = setTimeout(() => this.release(), 200);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private release(): void {
    clearTimeout(this.timer);
    for (const res of this.held.splice(0))
      res.writeHead(200, { 'content-type': 'text/plain' }).end('through the gate');
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

let site: FixtureSite;
beforeAll(async () => {
  site = await new FixtureSite().start();
});
afterAll(() => site.stop());

describe.each(mcpTestMatrix((s) => s.era === 'modern'))('batch_scrape over %s', (_name, setup) => {
  let t: McpTestApp;
  const batch = (args: Record<string, unknown>, options?: Parameters<Client['callTool']>[1]) =>
    t.client.callTool({ name: 'batch_scrape', arguments: args }, options);

  beforeAll(async () => {
    t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [
        AppModule.forRoot({
          redisUrl: undefined,
          egress: FIXTURE_EGRESS,
          batchRateLimits: [{ points: 1_000, perMs: 60_000 }],
        }),
      ],
      ...setup,
    });
  });
  afterAll(() => t?.close());

  it('lists batch_scrape with its bounded list of URLs, under the annotations of scrape_url', async () => {
    const { tools } = await t.client.listTools();
    const tool = tools.find((x) => x.name === 'batch_scrape')!;
    expect(tool.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        urls: { type: 'array', minItems: 1, maxItems: 20 },
        format: { enum: ['text', 'html'] },
        maxChars: { type: 'integer', minimum: 1 },
      },
      required: ['urls'],
    });
    expect(tool.annotations).toEqual({ readOnlyHint: true, openWorldHint: true });
  });

  it('answers each URL of a mix of good, refused and failing ones, in order', async () => {
    const closed = `${await closedPortUrl()}/`;
    const urls = [
      `${site.url}/article`,
      `${site.url}/large`,
      'http://169.254.169.254/latest/meta-data/',
      `${site.url}/error`,
      `${site.url}/missing`,
      `${site.url}/image`,
      closed,
      `http://x@${new URL(site.url).host}/plain`,
    ];
    const progress: { progress: number; total?: number }[] = [];
    const result = await batch(
      { urls, maxChars: 2_000 },
      { onprogress: (p) => progress.push({ progress: p.progress, total: p.total }) },
    );
    // One failed URL does not fail the call.
    expect(result.isError).toBeFalsy();
    const { results, succeeded, failed } = batchOf(result);
    expect([succeeded, failed]).toEqual([2, 6]);
    expect(results.map((r) => r.url)).toEqual(urls);
    expect(results[0]).toEqual({ url: urls[0], ok: true, text: ARTICLE_TEXT });
    // A long page: the seed's fields, a preview of maxChars and a link its caller reads.
    expect(results[1]).toMatchObject({
      url: urls[1],
      ok: true,
      preview: LARGE_TEXT.slice(0, 2_000),
      size_bytes: Buffer.byteLength(LARGE_TEXT),
      resource_id: expect.any(String),
      resource_uri: expect.stringMatching(/^rampart:\/\/resources\//),
    });
    const uri = (results[1] as { resource_uri: string }).resource_uri;
    expect((await t.client.readResource({ uri })).contents[0]).toMatchObject({ text: LARGE_TEXT });
    expect(result.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri }));
    // Each failure carries its structured code.
    expect(results.slice(2).map((r) => (r.ok ? 'ok' : [r.error.code, r.error.retryable]))).toEqual([
      ['EGRESS_REFUSED', false],
      ['UPSTREAM_ERROR', true],
      ['UPSTREAM_ERROR', false],
      ['UNSUPPORTED_CONTENT', false],
      ['NETWORK_ERROR', true],
      ['INVALID_URL', false],
    ]);
    // The text block carries the same, for clients that show text only.
    expect(JSON.parse((result.content as { text: string }[])[0].text)).toEqual(
      result.structuredContent,
    );
    // Progress: from 0 to every page, out of all of them.
    expect(progress.at(-1)).toEqual({ progress: urls.length, total: urls.length });
    const steps = progress.map((p) => p.progress);
    expect(steps).toEqual(steps.toSorted((a, b) => a - b));
  });

  it('fetches at most four pages at once', async () => {
    const gate = await new Gate(10, 4).start();
    try {
      const urls = Array.from({ length: 10 }, (_, i) => `${gate.url}/page-${i}`);
      const { results, succeeded } = batchOf(await batch({ urls }));
      expect(succeeded).toBe(10);
      expect(results.every((r) => r.ok)).toBe(true);
      // Four held at once, never a fifth while they were.
      expect(gate.most).toBe(4);
    } finally {
      await gate.stop();
    }
  });

  it('refuses more than 20 URLs, and a URL that is not http(s), as INVALID_ARGUMENTS', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `${site.url}/plain?${i}`);
    expect(toolError(await batch({ urls: many })).code).toBe('INVALID_ARGUMENTS');
    expect(toolError(await batch({ urls: [] })).code).toBe('INVALID_ARGUMENTS');
    const bad = toolError(await batch({ urls: [`${site.url}/plain`, 'ftp://127.0.0.1/file'] }));
    expect(bad.code).toBe('INVALID_ARGUMENTS');
    expect(JSON.stringify(bad.details)).toContain('urls');
  });

  it('stops when the client cancels: the pages in flight are dropped, the others never asked', async () => {
    const before = { hits: site.hits.get('/slow') ?? 0, dropped: site.dropped.get('/slow') ?? 0 };
    const controller = new AbortController();
    const call = batch(
      { urls: Array.from({ length: 8 }, (_, i) => `${site.url}/slow?${i}`) },
      { signal: controller.signal },
    );
    await waitFor(() => (site.hits.get('/slow') ?? 0) >= before.hits + 4);
    controller.abort();
    await expect(call).rejects.toThrow();
    await waitFor(() => (site.dropped.get('/slow') ?? 0) >= before.dropped + 4);
    expect(site.dropped.get('/slow')).toBe(before.dropped + 4);
    expect(site.hits.get('/slow')).toBe(before.hits + 4);
  });
});

describe('batch_scrape rate limit', () => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [AppModule.forRoot({ redisUrl: undefined, egress: FIXTURE_EGRESS })],
    });
  });
  afterAll(() => t?.close());

  it('counts a batch as one call against its own limits: one full batch per 10 s', async () => {
    const urls = Array.from({ length: 20 }, (_, i) => `${site.url}/plain?${i}`);
    const first = await t.client.callTool({ name: 'batch_scrape', arguments: { urls } });
    expect(batchOf(first).succeeded).toBe(20);
    const second = toolError(
      await t.client.callTool({ name: 'batch_scrape', arguments: { urls: urls.slice(0, 1) } }),
    );
    expect(second).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      details: { limit: 'burst' },
    });
    expect(second.retryAfterMs).toBeGreaterThan(0);
    // scrape_url keeps its own budget.
    const single = await t.client.callTool({
      name: 'scrape_url',
      arguments: { url: `${site.url}/plain` },
    });
    expect(single.isError).toBeFalsy();
  });
});
