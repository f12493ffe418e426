import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import { FIXTURE_EGRESS, FixtureSite } from './fixture-site';

/**
 * How much of the model's context the app's offload saves on large pages: the bytes of the
 * `scrape_url` result with the whole page inline (`maxChars: 100000`) against its default answer
 * (a 500-character preview, the signed link, the seed's structured content). It prints the
 * figures quoted in docs/resources.md (`npm test -- test/web-scrape/offload-savings.e2e-spec.ts`);
 * it asserts only that the saving is large, never a timing.
 */
const MARKDOWN = readFileSync(resolve(__dirname, '../../docs/observability.md'), 'utf8');

/** Bytes of a tool result as JSON on the wire, without the server's `_meta`. */
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('context saved by the web-scrape app on large pages', () => {
  let site: FixtureSite;
  let docs: Server;
  let docsUrl: string;
  let t: McpTestApp;

  beforeAll(async () => {
    site = await new FixtureSite().start();
    // A long Markdown page, served as text/markdown (returned as served).
    docs = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(MARKDOWN),
    );
    await new Promise<void>((done) => docs.listen(0, '127.0.0.1', done));
    docsUrl = `http://127.0.0.1:${(docs.address() as AddressInfo).port}/observability.md`;
    t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [AppModule.forRoot({ redisUrl: undefined, egress: FIXTURE_EGRESS })],
    });
  });
  afterAll(async () => {
    await t?.close();
    await site?.stop();
    docs?.closeAllConnections();
    await new Promise((done) => docs?.close(done));
  });

  it('keeps more than 90% of a large page out of the context', async () => {
    const pages: [string, string][] = [
      ['a 50 KB HTML page (the seed), as text', `${site.url}/long`],
      ['a 12 KB HTML page, as text', `${site.url}/large`],
      ['docs/observability.md as served (text/markdown)', docsUrl],
    ];
    const rows: string[] = [];
    for (const [name, url] of pages) {
      const call = (args: Record<string, unknown>) =>
        t.client.callTool({ name: 'scrape_url', arguments: { url, ...args } });
      const { _meta: _a, ...inline } = await call({ maxChars: 100_000 });
      const { _meta: _b, ...offloaded } = await call({});
      expect(inline.isError).toBeFalsy();
      expect(offloaded.structuredContent).toMatchObject({ resource_uri: expect.any(String) });
      const full = bytesOf(inline);
      const whole = bytesOf(offloaded);
      const content = bytesOf(offloaded.content);
      const structured = bytesOf(offloaded.structuredContent);
      const saved = (n: number) => `${((1 - n / full) * 100).toFixed(1)}%`;
      rows.push(
        `| ${name} | ${full} | ${content} (${saved(content)}) | ${structured} (${saved(structured)}) | ${whole} (${saved(whole)}) |`,
      );
      expect(whole / full).toBeLessThan(0.25);
      if (full > 40_000) expect(whole / full).toBeLessThan(0.1);
    }
    console.log(
      [
        'Bytes of the scrape_url result as JSON (saving against the page inline):',
        '| page | inline | offloaded: content blocks | offloaded: structuredContent | offloaded: whole result |',
        '|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
  });
});
