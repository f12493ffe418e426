import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Args, MCP_BREAKER_STATES, McpModule, Tool, type McpBreakerStates } from '@rampart/core';
import { CircuitBreaker, ResilienceModule, Retry } from '@rampart/resilience';
import {
  HtmlSanitizer,
  SAFE_FETCHER_OPTIONS,
  SafeFetcher,
  SanitizeHtml,
  SecurityModule,
  isEgressRefusedError,
  type SafeFetcherOptions,
} from '@rampart/security';
import {
  createMcpTestApp,
  mcpTestMatrix,
  toolError,
  toolText,
  type McpTestApp,
} from '@rampart/testing';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import {
  closedPort,
  guardConnections,
  MemoryLogger,
  ScriptedResolver,
  startFixture,
  type Fixture,
} from './egress.fixture';

class UrlInput {
  @IsString()
  url!: string;
}

/** Tools that fetch through the module's SafeFetcher, behind a retry and a circuit breaker. */
@Injectable()
class FetchTools {
  constructor(private readonly fetcher: SafeFetcher) {}

  @Tool({ name: 'fetch_page', annotations: { readOnlyHint: true, openWorldHint: true } })
  @Retry({ attempts: 3, initialDelayMs: 1, maxDelayMs: 1 })
  @CircuitBreaker({ consecutiveFailures: 3, halfOpenAfterMs: 600_000 })
  async fetchPage(@Args() input: UrlInput) {
    return (await this.fetcher.get(input.url)).body;
  }

  @SanitizeHtml()
  @Tool({ name: 'page_html', annotations: { readOnlyHint: true, openWorldHint: true } })
  async pageHtml(@Args() input: UrlInput) {
    return (await this.fetcher.get(input.url)).body;
  }
}

function app(egress: SafeFetcherOptions): DynamicModule {
  @Module({
    imports: [
      McpModule.forRoot({ name: 'egress', version: '1.0.0' }),
      ResilienceModule.forRoot({}),
      SecurityModule.forRoot({ defaultAccess: 'public', egress, sanitize: { extraTags: ['img'] } }),
    ],
    providers: [FetchTools],
  })
  class EgressModule {}
  return { module: EgressModule };
}

const PAGE =
  '<h1>Title</h1><p onclick="steal()">Hello <img src=x onerror=alert(1)><script>alert(1)</script></p><a href="javascript:alert(1)">x</a>';

describe('tools that fetch through SafeFetcher', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    });
  });
  afterAll(() => fixture.close());

  describe.each(mcpTestMatrix((s) => s.transport === 'memory' && s.era === 'modern'))(
    'over %s',
    (_name, setup) => {
      let t: McpTestApp;
      let attempts: string[];
      let resolver: ScriptedResolver;
      let closed: number;
      const call = (name: string, url: string) => t.client.callTool({ name, arguments: { url } });
      const breaker = () =>
        t.app
          .get<McpBreakerStates>(MCP_BREAKER_STATES)
          .snapshot()
          .find((b) => b.name === 'fetch_page')?.state;

      beforeEach(async () => {
        attempts = guardConnections();
        resolver = new ScriptedResolver({ 'intranet.test': ['10.0.0.7'] });
        closed = await closedPort();
        t = await createMcpTestApp({
          imports: [
            app({
              allow: ['127.0.0.1/32'],
              ports: [80, fixture.port, closed],
              resolver,
              logger: new MemoryLogger(),
            }),
          ],
          ...setup,
        });
      });
      afterEach(async () => {
        await t.close();
        jest.restoreAllMocks();
      });

      it('keeps the breaker closed through many refused URLs, which are neither retried nor counted', async () => {
        const refused = [
          'http://10.0.0.1/',
          'http://169.254.169.254/latest/meta-data/',
          'http://intranet.test/',
          'http://nowhere.test/',
          `http://127.0.0.2:${fixture.port}/`,
          'http://[::1]/',
          'http://0x7f000002/',
          'http://example.com:22/',
        ];
        for (let round = 0; round < 2; round++)
          for (const url of refused) {
            const error = toolError(await call('fetch_page', url));
            expect(error.code).toBe('EGRESS_REFUSED');
            expect(error.retryable).toBe(false);
          }
        for (const url of ['ftp://example.com/', 'http://user:pw@example.com/'])
          expect(toolError(await call('fetch_page', url)).code).toBe('INVALID_URL');
        expect(breaker()).toBe('closed');
        // Each name was looked up once per call: no retry.
        expect(resolver.lookups).toEqual([
          'intranet.test',
          'nowhere.test',
          'intranet.test',
          'nowhere.test',
        ]);
        expect(attempts).toEqual([]);
        expect(toolText(await call('fetch_page', fixture.url('/')))).toBe(PAGE);
      });

      it('retries and counts network failures of an allowed upstream, and opens the breaker', async () => {
        const url = `http://127.0.0.1:${closed}/`;
        expect(toolError(await call('fetch_page', url)).code).toBe('NETWORK_ERROR');
        expect(attempts).toEqual([
          `127.0.0.1:${closed}`,
          `127.0.0.1:${closed}`,
          `127.0.0.1:${closed}`,
        ]);
        expect(breaker()).toBe('open');
        expect(toolError(await call('fetch_page', fixture.url('/'))).code).toBe('CIRCUIT_OPEN');
      });

      it('sanitizes the HTML of a @SanitizeHtml() tool with the module’s sanitizer', async () => {
        expect(toolText(await call('page_html', fixture.url('/')))).toBe(
          '<h1>Title</h1><p>Hello <img src="x" /></p><a>x</a>',
        );
      });
    },
  );
});

describe('providing SafeFetcher and HtmlSanitizer', () => {
  it('as plain providers, with SAFE_FETCHER_OPTIONS or the defaults', async () => {
    const logger = new MemoryLogger();
    const module = await Test.createTestingModule({
      providers: [
        SafeFetcher,
        HtmlSanitizer,
        { provide: SAFE_FETCHER_OPTIONS, useValue: { logger, deny: ['blocked.test'] } },
      ],
    }).compile();
    const fetcher = module.get(SafeFetcher);
    const error = await fetcher.get('http://blocked.test/').catch((e: unknown) => e);
    expect(isEgressRefusedError(error)).toBe(true);
    expect(logger.lines).toEqual([expect.stringContaining('deny list')]);
    expect(module.get(HtmlSanitizer).sanitize('<b>b</b><p>p</p>')).toBe('b<p>p</p>');
    await module.close();
  });

  it('fails the boot on bad egress options, naming them', async () => {
    await expect(
      Test.createTestingModule({
        imports: [
          McpModule.forRoot({ name: 'egress', version: '1.0.0' }),
          SecurityModule.forRoot({ egress: { allow: ['not a host'] } }),
        ],
      }).compile(),
    ).rejects.toThrow(/Invalid SafeFetcher options: "allow" holds "not a host"/);
  });

  it('fails the boot on a sanitizer allowlist that would let scripts through', async () => {
    await expect(
      Test.createTestingModule({
        imports: [
          McpModule.forRoot({ name: 'egress', version: '1.0.0' }),
          SecurityModule.forRoot({ sanitize: { extraTags: ['script'] } }),
        ],
      }).compile(),
    ).rejects.toThrow(/Invalid HtmlSanitizer options: "extraTags" may not allow <script>/);
  });
});
