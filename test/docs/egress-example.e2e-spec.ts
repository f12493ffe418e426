import { createMcpTestApp, toolError, toolText, type McpTestApp } from '@rampart/testing';
import { pagesModule } from '../../docs/examples/egress.example';
import {
  guardConnections,
  MemoryLogger,
  ScriptedResolver,
  startFixture,
  type Fixture,
} from '../egress/egress.fixture';

describe('docs example: egress', () => {
  let fixture: Fixture;
  let t: McpTestApp;
  let attempts: string[];
  let resolver: ScriptedResolver;
  const page = (url: string) => t.client.callTool({ name: 'page_html', arguments: { url } });

  beforeAll(async () => {
    fixture = await startFixture((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<blockquote>Hi<script>alert(1)</script></blockquote><p style="x">there</p>');
    });
  });
  afterAll(() => fixture.close());

  beforeEach(async () => {
    attempts = guardConnections();
    // The intranet wiki is a private address; the fixture stands in for it.
    resolver = new ScriptedResolver({
      'wiki.intranet.example': ['127.0.0.1'],
      'files.intranet.example': ['10.1.2.3'],
    });
    t = await createMcpTestApp({
      imports: [pagesModule({ resolver, ports: [fixture.port], logger: new MemoryLogger() })],
    });
  });
  afterEach(async () => {
    await t.close();
    jest.restoreAllMocks();
  });

  it('fetches the allowed intranet host and cleans its HTML', async () => {
    expect(toolText(await page(`http://wiki.intranet.example:${fixture.port}/`))).toBe(
      '<blockquote>Hi</blockquote><p>there</p>',
    );
    // Only the allowed target is dialled: once, or again when a busy machine runs past the
    // connect cap and the example's @Retry dials it a second time.
    expect([...new Set(attempts)]).toEqual([`127.0.0.1:${fixture.port}`]);
  });

  it('refuses other private targets with the one uniform error', async () => {
    for (const url of [
      `http://files.intranet.example:${fixture.port}/`,
      `http://127.0.0.1:${fixture.port}/`,
      'http://169.254.169.254/latest/meta-data/',
    ])
      expect(toolError(await page(url))).toMatchObject({
        code: 'EGRESS_REFUSED',
        retryable: false,
      });
    expect(attempts).toEqual([]);
  });
});
