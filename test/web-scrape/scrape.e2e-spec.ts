import type { Client } from '@modelcontextprotocol/client';
import type { INestApplication } from '@nestjs/common';
import { createMcpTestApp, mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { waitFor } from './built-app';
import {
  ARTICLE_TEXT,
  closedPortUrl,
  FIXTURE_EGRESS,
  FixtureSite,
  LARGE_SENTENCES,
  LARGE_TEXT,
} from './fixture-site';

const setups = mcpTestMatrix();

type CallResult = Awaited<ReturnType<Client['callTool']>>;
type Block = {
  type: string;
  text?: string;
  uri?: string;
  mimeType?: string;
  description?: string;
  size?: number;
};
/** The seed's fields of an offloaded page. */
type Offloaded = {
  resource_id: string;
  resource_uri: string;
  preview: string;
  size_bytes: number;
  expires_at: string;
};

const blocks = (result: CallResult) => result.content as Block[];
const offloaded = (result: CallResult) => result.structuredContent as Offloaded;
/** The app, its loopback fixtures allowed. */
const app = (options: Parameters<typeof AppModule.forRoot>[0] = {}) =>
  AppModule.forRoot({ egress: FIXTURE_EGRESS, ...options });
const errorBody = toolError;

let site: FixtureSite;
beforeAll(async () => {
  site = await new FixtureSite().start();
});
afterAll(() => site.stop());

describe.each(setups)('web-scrape over %s', (_name, setup) => {
  let t: McpTestApp;
  const scrape = (args: Record<string, unknown>, options?: Parameters<Client['callTool']>[1]) =>
    t.client.callTool({ name: 'scrape_url', arguments: args }, options);

  beforeAll(async () => {
    t = await createMcpTestApp({ server: 'web-scrape', imports: [app()], ...setup });
  });
  afterAll(() => t?.close());

  it('lists its tools, scrape_url with its schema, and the template of offloaded pages', async () => {
    const { tools } = await t.client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual([
      'batch_scrape',
      'cancel_task',
      'crawl_site',
      'get_metrics',
      'get_task_result',
      'get_task_status',
      'scrape_url',
    ]);
    const scrapeUrl = tools.find((x) => x.name === 'scrape_url')!;
    expect(scrapeUrl.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        url: { type: 'string' },
        format: { enum: ['text', 'html'] },
        maxChars: { type: 'integer', minimum: 1 },
      },
      required: ['url'],
    });
    expect(scrapeUrl.annotations).toEqual({ readOnlyHint: true, openWorldHint: true });
    const { resourceTemplates } = await t.client.listResourceTemplates();
    expect(resourceTemplates.map((x) => x.uriTemplate)).toEqual(['rampart://resources/{+ref}']);
  });

  it('returns the text of an HTML page without scripts, styles, comments or tags', async () => {
    const progress: number[] = [];
    const result = await scrape(
      { url: `${site.url}/article` },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(result.isError).toBeFalsy();
    expect(blocks(result)).toEqual([{ type: 'text', text: ARTICLE_TEXT }]);
    expect(progress).toEqual([0.1, 0.8]);
  });

  it('returns the page sanitized with format "html", and text/plain untouched', async () => {
    const html = blocks(
      await scrape({ url: `${site.url}/article`, format: 'html', maxChars: 100_000 }),
    )[0].text!;
    // The seed's allowlist: scripts, styles, comments, attributes and other tags are gone.
    expect(html).not.toMatch(
      /<script|window\.secret|import\('evil'\)|<style|color: red|<!--|class=/,
    );
    expect(html).toContain('<h1>Hello, world &amp; friends.</h1>');
    expect(html).toContain('<p>The end.</p>');
    const plain = blocks(await scrape({ url: `${site.url}/plain` }))[0].text;
    expect(plain).toBe('Plain <b>text</b> is returned as served.');
  });

  it('decodes the charset the page names', async () => {
    expect(blocks(await scrape({ url: `${site.url}/latin1` }))[0].text).toBe('Café crème');
  });

  it("offloads a large page: a preview and a signed link, with the seed's fields, that reads the whole text", async () => {
    const result = await scrape({ url: `${site.url}/large`, maxChars: 100 });
    expect(result.isError).toBeFalsy();
    const fields = offloaded(result);
    expect(fields).toEqual({
      resource_id: expect.stringMatching(/^[\w-]{22}$/),
      resource_uri: expect.stringMatching(/^rampart:\/\/resources\/[\w-]{22}\?/),
      // The preview is maxChars characters when the call gives maxChars.
      preview: LARGE_TEXT.slice(0, 100),
      size_bytes: Buffer.byteLength(LARGE_TEXT),
      expires_at: expect.any(String),
    });
    expect(fields.resource_uri).toContain(fields.resource_id);
    const [preview, link] = blocks(result);
    expect(preview.text!.startsWith(`${LARGE_TEXT.slice(0, 100)}\n\n[Preview: 100 of`)).toBe(true);
    expect(link).toMatchObject({
      type: 'resource_link',
      uri: fields.resource_uri,
      mimeType: 'text/plain',
      size: Buffer.byteLength(LARGE_TEXT),
    });

    const read = await t.client.readResource({ uri: fields.resource_uri });
    expect(read.contents).toEqual([
      { uri: fields.resource_uri, mimeType: 'text/plain', text: LARGE_TEXT },
    ]);
    expect((read.contents[0] as { text: string }).text.endsWith(LARGE_SENTENCES.at(-1)!)).toBe(
      true,
    );
  });

  it('previews 500 characters of a page longer than the default 2000', async () => {
    const fields = offloaded(await scrape({ url: `${site.url}/large` }));
    expect(fields.preview).toBe(LARGE_TEXT.slice(0, 500));
  });

  it('keeps a large page sanitized with format "html", and reads it back as text/html', async () => {
    const result = await scrape({ url: `${site.url}/article`, format: 'html', maxChars: 20 });
    const [, link] = blocks(result);
    expect(link).toMatchObject({ type: 'resource_link', mimeType: 'text/html' });
    const read = await t.client.readResource({ uri: link.uri! });
    expect(read.contents).toEqual([
      { uri: link.uri, mimeType: 'text/html', text: expect.stringContaining('<h1>Hello,') },
    ]);
    expect((read.contents[0] as { text: string }).text).not.toContain('<script');
  });

  it('answers an upstream 5xx with a retryable UPSTREAM_ERROR and a 404 with a final one', async () => {
    const broken = errorBody(await scrape({ url: `${site.url}/error` }));
    expect(broken).toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: true,
      details: { status: 500 },
    });
    expect(broken.message).toContain('HTTP 500');
    expect(errorBody(await scrape({ url: `${site.url}/missing` }))).toMatchObject({
      code: 'UPSTREAM_ERROR',
      retryable: false,
    });
  });

  it('answers a refused connection with a retryable NETWORK_ERROR', async () => {
    const body = errorBody(await scrape({ url: `${await closedPortUrl()}/` }));
    expect(body).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(body.message).toContain('ECONNREFUSED');
  });

  it('refuses content that is not text, and content of no declared type', async () => {
    expect(errorBody(await scrape({ url: `${site.url}/image` }))).toMatchObject({
      code: 'UNSUPPORTED_CONTENT',
      retryable: false,
      details: { contentType: 'image/png' },
    });
    expect(errorBody(await scrape({ url: `${site.url}/untyped` }))).toMatchObject({
      code: 'UNSUPPORTED_CONTENT',
      retryable: false,
      details: { contentType: '' },
    });
  });

  it('answers invalid arguments with INVALID_ARGUMENTS and the field paths, then keeps serving', async () => {
    const body = errorBody(await scrape({ url: 'not a url', format: 'pdf' }));
    expect(body.code).toBe('INVALID_ARGUMENTS');
    expect(body.details?.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'format',
      'url',
    ]);
    expect(errorBody(await scrape({ url: 'ftp://127.0.0.1/file' })).code).toBe('INVALID_ARGUMENTS');
    expect(
      errorBody(await scrape({ url: `${site.url}/article`, maxChars: 0 })).details?.issues,
    ).toEqual([expect.objectContaining({ path: 'maxChars' })]);
    expect(blocks(await scrape({ url: `${site.url}/plain` }))[0].text).toContain('Plain');
  });

  it('answers a link that was never given with the one resource-not-found', async () => {
    const fields = offloaded(await scrape({ url: `${site.url}/large`, maxChars: 10 }));
    const forged = fields.resource_uri.replace(fields.resource_id, 'A'.repeat(22));
    await expect(t.client.readResource({ uri: forged })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining(`Resource not found: ${forged}`),
      data: { uri: forged },
    });
  });

  describe('when the client cancels', () => {
    let cancelling: McpTestApp;

    beforeAll(async () => {
      cancelling = await createMcpTestApp({ server: 'web-scrape', imports: [app()], ...setup });
    });
    afterAll(async () => {
      if (!cancelling) return;
      await cancelling.client.close();
      // Node's fetch opens a spare keep-alive connection after an aborted request and never uses
      // it; the server's close() would wait for it (Fastify: up to its 72 s keep-alive timeout).
      (cancelling.app as INestApplication).getHttpServer?.()?.closeAllConnections?.();
      await cancelling.app.close();
    });

    it('stops fetching the page', async () => {
      const before = { hits: site.hits.get('/slow') ?? 0, dropped: site.dropped.get('/slow') ?? 0 };
      const controller = new AbortController();
      const call = cancelling.client.callTool(
        { name: 'scrape_url', arguments: { url: `${site.url}/slow` } },
        { signal: controller.signal },
      );
      await waitFor(() => (site.hits.get('/slow') ?? 0) > before.hits);
      controller.abort();
      await expect(call).rejects.toThrow();
      // The app aborts its fetch at once (the page would answer only after 5 s).
      await waitFor(() => (site.dropped.get('/slow') ?? 0) > before.dropped);
      expect(site.dropped.get('/slow') ?? 0).toBe(before.dropped + 1);
    });
  });

  describe('with short limits', () => {
    let limited: McpTestApp;
    const scrapeLimited = (args: Record<string, unknown>) =>
      limited.client.callTool({ name: 'scrape_url', arguments: args });

    beforeAll(async () => {
      limited = await createMcpTestApp({
        server: 'web-scrape',
        imports: [app({ scrape: { timeoutMs: 200, maxBytes: 4096 } })],
        ...setup,
      });
    });
    afterAll(() => limited?.close());

    // First: the timeouts below count against the fixture host's circuit breaker.
    it('refuses a body larger than maxBytes', async () => {
      expect(errorBody(await scrapeLimited({ url: `${site.url}/huge` }))).toMatchObject({
        code: 'TOO_LARGE',
        retryable: false,
        details: { maxBodyBytes: 4096 },
      });
    });

    it('answers a page slower than timeoutMs with a retryable TIMEOUT after retrying', async () => {
      const body = errorBody(await scrapeLimited({ url: `${site.url}/slow` }));
      expect(body).toMatchObject({
        code: 'TIMEOUT',
        retryable: true,
        details: { attemptMs: 200, overallMs: 600 },
      });
    });

    it('times out a body that stops half way', async () => {
      expect(errorBody(await scrapeLimited({ url: `${site.url}/stall` }))).toMatchObject({
        code: 'TIMEOUT',
        retryable: true,
      });
    });
  });

  describe('traffic control', () => {
    let guarded: McpTestApp;

    beforeAll(async () => {
      guarded = await createMcpTestApp({
        server: 'web-scrape',
        imports: [app({ rateLimits: [{ name: 'tight', points: 4, perMs: 60_000 }] })],
        ...setup,
      });
    });
    afterAll(() => guarded?.close());

    it('opens the breaker of a dead host after repeated network errors, and serves other hosts', async () => {
      const dead = `${await closedPortUrl()}/`;
      const call = (url: string) =>
        guarded.client.callTool({ name: 'scrape_url', arguments: { url } });
      // Three attempts (two retries) of the first call fail; the breaker opens on the fifth
      // consecutive failure, during the retries of the second call.
      expect(errorBody(await call(dead))).toMatchObject({ code: 'NETWORK_ERROR' });
      const open = errorBody(await call(dead));
      expect(open).toMatchObject({
        code: 'CIRCUIT_OPEN',
        retryable: true,
        details: { key: new URL(dead).host },
      });
      expect(open.retryAfterMs).toBeGreaterThan(0);
      const live = await call(`${site.url}/plain`);
      expect(live.isError).toBeFalsy();
    });

    it('limits calls per caller with RATE_LIMITED and retryAfterMs', async () => {
      // Four points a minute, three used by the test above (retries take none).
      const last = await guarded.client.callTool({
        name: 'scrape_url',
        arguments: { url: `${site.url}/plain` },
      });
      expect(last.isError).toBeFalsy();
      const refused = errorBody(
        await guarded.client.callTool({
          name: 'scrape_url',
          arguments: { url: `${site.url}/plain` },
        }),
      );
      expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
      expect(refused.retryAfterMs).toBeGreaterThan(0);
    });
  });
});
