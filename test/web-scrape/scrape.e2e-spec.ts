import type { Client } from '@modelcontextprotocol/client';
import type { INestApplication } from '@nestjs/common';
import { createMcpTestApp, mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { waitFor } from './built-app';
import {
  ARTICLE_TEXT,
  closedPortUrl,
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

const blocks = (result: CallResult) => result.content as Block[];
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
    t = await createMcpTestApp({ imports: [AppModule.forRoot()], ...setup });
  });
  afterAll(() => t?.close());

  it('lists scrape_url with its schema and the page:// template', async () => {
    const { tools } = await t.client.listTools();
    expect(tools.map((x) => x.name)).toEqual(['scrape_url']);
    expect(tools[0].inputSchema).toMatchObject({
      type: 'object',
      properties: {
        url: { type: 'string' },
        format: { enum: ['text', 'html'] },
        maxChars: { type: 'integer', minimum: 1 },
      },
      required: ['url'],
    });
    expect(tools[0].annotations).toEqual({ readOnlyHint: true, openWorldHint: true });
    const { resourceTemplates } = await t.client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: 'page://{id}', name: 'page', mimeType: 'text/plain' }),
    ]);
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

  it('returns the page as served with format "html", and text/plain untouched', async () => {
    const html = blocks(
      await scrape({ url: `${site.url}/article`, format: 'html', maxChars: 100_000 }),
    )[0].text!;
    expect(html).toContain('<script>window.secret');
    const plain = blocks(await scrape({ url: `${site.url}/plain` }))[0].text;
    expect(plain).toBe('Plain <b>text</b> is returned as served.');
  });

  it('decodes the charset the page names', async () => {
    expect(blocks(await scrape({ url: `${site.url}/latin1` }))[0].text).toBe('Café crème');
  });

  it('answers a large page with a preview and a page:// link that reads the whole text', async () => {
    const result = await scrape({ url: `${site.url}/large`, maxChars: 100 });
    expect(result.isError).toBeFalsy();
    const [preview, link] = blocks(result);
    expect(preview).toEqual({ type: 'text', text: LARGE_TEXT.slice(0, 100) });
    expect(link).toMatchObject({
      type: 'resource_link',
      mimeType: 'text/plain',
      size: LARGE_TEXT.length,
    });
    expect(link.uri).toMatch(/^page:\/\/[0-9a-f-]{36}$/);
    expect(link.description).toContain(`${LARGE_TEXT.length} characters`);

    const read = await t.client.readResource({ uri: link.uri! });
    expect(read.contents).toEqual([{ uri: link.uri, mimeType: 'text/plain', text: LARGE_TEXT }]);
    expect((read.contents[0] as { text: string }).text.endsWith(LARGE_SENTENCES.at(-1)!)).toBe(
      true,
    );
  });

  it('keeps a large page as served with format "html", and reads it back as text/html', async () => {
    const [, link] = blocks(
      await scrape({ url: `${site.url}/article`, format: 'html', maxChars: 20 }),
    );
    expect(link).toMatchObject({ type: 'resource_link', mimeType: 'text/html' });
    const read = await t.client.readResource({ uri: link.uri! });
    expect(read.contents).toEqual([
      { uri: link.uri, mimeType: 'text/html', text: expect.stringContaining('<h1 class="title"') },
    ]);
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

  it('refuses content that is not text', async () => {
    expect(errorBody(await scrape({ url: `${site.url}/image` }))).toMatchObject({
      code: 'UNSUPPORTED_CONTENT',
      retryable: false,
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

  it('answers an unknown page id with a JSON-RPC error', async () => {
    await expect(
      t.client.readResource({ uri: 'page://00000000-0000-0000-0000-000000000000' }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('No page 00000000-0000-0000-0000-000000000000'),
      data: { code: 'NOT_FOUND', details: { uri: 'page://00000000-0000-0000-0000-000000000000' } },
    });
  });

  describe('when the client cancels', () => {
    let cancelling: McpTestApp;

    beforeAll(async () => {
      cancelling = await createMcpTestApp({ imports: [AppModule.forRoot()], ...setup });
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
        imports: [AppModule.forRoot({ scrape: { timeoutMs: 200, maxBytes: 4096 } })],
        ...setup,
      });
    });
    afterAll(() => limited?.close());

    // First: the timeouts below count against the fixture host's circuit breaker.
    it('refuses a body larger than maxBytes', async () => {
      expect(errorBody(await scrapeLimited({ url: `${site.url}/huge` }))).toMatchObject({
        code: 'TOO_LARGE',
        retryable: false,
        details: { maxBytes: 4096 },
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
        imports: [AppModule.forRoot({ rateLimits: [{ name: 'tight', points: 4, perMs: 60_000 }] })],
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
