import type { IncomingMessage, ServerResponse } from 'node:http';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  MCP_BREAKER_STATES,
  RampartChannel,
  type McpBreakerStates,
  type RetryEvent,
} from '@rampart/core';
import { createMcpTestApp, mcpTestMatrix, toolError, type McpTestApp } from '@rampart/testing';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import {
  guardConnections,
  MemoryLogger,
  ScriptedResolver,
  startFixture,
  type Fixture,
} from '../egress/egress.fixture';

/**
 * SSRF through the app's own tools: every loopback spelling, private and metadata addresses,
 * names that resolve to them, and redirects from an allowed site to any of them are answered
 * with the one `EGRESS_REFUSED`, and no connection is made to them. Names are resolved by an
 * injected resolver (no DNS); every socket the process opens is recorded, and only loopback ones
 * go through (`guardConnections`), so a refused target could not be reached even by mistake.
 */

/** The answer to every refused target, whatever the reason. */
const REFUSED = {
  code: 'EGRESS_REFUSED',
  message: 'The URL is refused: this server fetches only public web addresses on allowed ports.',
  retryable: false,
};

let canary: Fixture;
let site: Fixture;
let attempts: string[];
let logger: MemoryLogger;
let resolver: ScriptedResolver;

beforeAll(async () => {
  // What must never be reached: a server on loopback, as Redis or an admin port would be.
  canary = await startFixture((_req, res) => res.writeHead(200).end('the secret'));
  // The one site the app may fetch from, by name only (`site.test`, which resolves to loopback).
  site = await startFixture((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/hop')
      return res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('a page of the allowed site');
  });
  attempts = guardConnections();
});
afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all([canary?.close(), site?.close()]);
});

/** The loopback spellings of the canary's address, IPv4 and IPv6. */
const loopback = () => [
  `http://127.0.0.1:${canary.port}/`,
  `http://localhost:${canary.port}/`,
  `http://0x7f000001:${canary.port}/`,
  `http://[::1]:${canary.port}/`,
  `http://[::ffff:127.0.0.1]:${canary.port}/`,
  `http://[::ffff:7f00:1]:${canary.port}/`,
  `http://0.0.0.0:${canary.port}/`,
  `http://loopback.test:${canary.port}/`,
];

/**
 * Loopback spellings that the argument's own check (`@IsUrl()`) refuses before any fetch: the
 * fetcher would normalize them to 127.0.0.1 too (see the redirects below, which skip that check).
 */
const unvalidated = () => [
  `http://2130706433:${canary.port}/`,
  `http://127.1:${canary.port}/`,
  `http://0177.0.0.1:${canary.port}/`,
];

/** Private, link-local (cloud metadata), CGNAT and unique-local targets, as literals and names. */
const PRIVATE = [
  'http://10.0.0.1/',
  'http://172.16.0.1/',
  'http://192.168.1.1/admin',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::ffff:169.254.169.254]/',
  'http://100.64.0.1/',
  'http://[fd00::1]/',
  'http://[fe80::1]/',
  'http://ten.test/',
  'http://metadata.test/latest/meta-data/',
  // A name answering a public and a private address: a rebinding attempt.
  'http://rebind.test/',
  // A name that does not resolve: the same answer, so internal names cannot be probed.
  'http://nowhere.test/',
];

/** Redirects from the allowed site to forbidden targets. */
const redirects = () =>
  [
    `http://127.0.0.1:${canary.port}/`,
    `http://localhost:${canary.port}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://ten.test/',
    `http://[::1]:${canary.port}/`,
    ...unvalidated(),
  ].map((to) => `http://site.test:${site.port}/hop?to=${encodeURIComponent(to)}`);

/** The sockets opened since `from`, other than to the allowed site and to the app itself. */
const strayAttempts = (from: number, app?: URL) =>
  attempts
    .slice(from)
    .filter((a) => a !== `127.0.0.1:${site.port}` && (!app || a !== `127.0.0.1:${app.port}`));

describe.each(mcpTestMatrix((s) => s.transport === 'memory' || s.adapter === 'express'))(
  'web-scrape refuses SSRF targets (%s)',
  (_name, setup) => {
    let t: McpTestApp;

    beforeAll(async () => {
      logger = new MemoryLogger();
      resolver = new ScriptedResolver({
        'site.test': ['127.0.0.1'],
        'loopback.test': ['127.0.0.1'],
        localhost: ['127.0.0.1', '::1'],
        'ten.test': ['10.0.0.1'],
        'metadata.test': ['169.254.169.254'],
        'rebind.test': ['93.184.215.14', '127.0.0.1'],
      });
      t = await createMcpTestApp({
        server: 'web-scrape',
        imports: [
          AppModule.forRoot({
            redisUrl: undefined,
            // The allowed site by its name only: its address (127.0.0.1) stays refused under
            // any other name or as a literal. Any port, so that what refuses is the address.
            egress: { allow: ['site.test'], ports: 'any', resolver, logger },
            // Enough calls for every case below.
            rateLimits: [{ points: 1_000, perMs: 60_000 }],
            batchRateLimits: [{ points: 1_000, perMs: 60_000 }],
          }),
        ],
        ...setup,
      });
    });
    afterAll(() => t?.close());

    const scrape = (url: string) => t.client.callTool({ name: 'scrape_url', arguments: { url } });

    it('fetches from the allowed site, by its name (the guard lets loopback through)', async () => {
      const from = attempts.length;
      const page = await scrape(`http://site.test:${site.port}/`);
      expect(page.isError).toBeFalsy();
      expect(page.content).toEqual([{ type: 'text', text: 'a page of the allowed site' }]);
      // The guard sees the sockets the fetcher opens: this app's first, to the checked address.
      expect(attempts.slice(from)).toContain(`127.0.0.1:${site.port}`);
      expect(resolver.lookups).toContain('site.test');
    });

    it('refuses every loopback spelling with EGRESS_REFUSED, connecting to nothing', async () => {
      const from = attempts.length;
      for (const url of loopback())
        expect([url, toolError(await scrape(url))]).toEqual([
          url,
          expect.objectContaining(REFUSED),
        ]);
      for (const url of unvalidated())
        expect([url, toolError(await scrape(url)).code]).toEqual([url, 'INVALID_ARGUMENTS']);
      expect(strayAttempts(from, t.url)).toEqual([]);
      expect(canary.connections).toBe(0);
    });

    it('refuses private and metadata addresses, and names that resolve to them', async () => {
      const from = attempts.length;
      for (const url of PRIVATE)
        expect([url, toolError(await scrape(url))]).toEqual([
          url,
          expect.objectContaining(REFUSED),
        ]);
      expect(strayAttempts(from, t.url)).toEqual([]);
      // Why is told to the server log only.
      expect(logger.lines).toEqual(
        expect.arrayContaining([
          expect.stringContaining('ten.test resolved to 10.0.0.1'),
          expect.stringContaining('169.254.169.254'),
        ]),
      );
    });

    it('refuses a redirect from the allowed site to a forbidden target', async () => {
      const from = attempts.length;
      const before = site.requests.length;
      for (const url of redirects())
        expect([url, toolError(await scrape(url))]).toEqual([
          url,
          expect.objectContaining(REFUSED),
        ]);
      // The allowed site was asked each time; the target it named, never.
      expect(site.requests.length - before).toBe(redirects().length);
      expect(strayAttempts(from, t.url)).toEqual([]);
      expect(canary.connections).toBe(0);
    });

    it('answers the same in a batch, URL by URL', async () => {
      const from = attempts.length;
      const urls = [`http://site.test:${site.port}/`, ...PRIVATE.slice(0, 4), redirects()[0]];
      const result = await t.client.callTool({ name: 'batch_scrape', arguments: { urls } });
      const { results } = result.structuredContent as {
        results: { url: string; ok: boolean; error?: object }[];
      };
      expect(results[0]).toMatchObject({ ok: true, text: 'a page of the allowed site' });
      for (const item of results.slice(1))
        expect(item).toEqual({ url: item.url, ok: false, error: REFUSED });
      expect(strayAttempts(from, t.url)).toEqual([]);
      expect(canary.connections).toBe(0);
    });

    it("neither retries refusals nor counts them against the host's breaker", async () => {
      const retries: RetryEvent[] = [];
      const onRetry = (e: unknown) => retries.push(e as RetryEvent);
      subscribe(RampartChannel.retry, onRetry);
      try {
        for (let i = 0; i < 8; i++) toolError(await scrape('http://ten.test/'));
      } finally {
        unsubscribe(RampartChannel.retry, onRetry);
      }
      expect(retries).toEqual([]);
      const states = t.app.get<McpBreakerStates>(MCP_BREAKER_STATES).snapshot();
      expect(states).toContainEqual(
        expect.objectContaining({ name: 'scrape_url', key: 'ten.test', state: 'closed' }),
      );
    });
  },
);

describe('web-scrape with its default egress (no EGRESS_ALLOW)', () => {
  let t: McpTestApp;
  let saved: Record<string, string | undefined>;

  beforeAll(async () => {
    saved = { EGRESS_ALLOW: process.env.EGRESS_ALLOW, EGRESS_PORTS: process.env.EGRESS_PORTS };
    delete process.env.EGRESS_ALLOW;
    process.env.EGRESS_PORTS = 'any';
    t = await createMcpTestApp({
      server: 'web-scrape',
      imports: [AppModule.forRoot({ redisUrl: undefined })],
    });
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await t?.close();
  });

  it('refuses the loopback site that the tests elsewhere allow, without connecting', async () => {
    const from = attempts.length;
    const before = site.connections;
    const refused = await t.client.callTool({
      name: 'scrape_url',
      arguments: { url: `http://127.0.0.1:${site.port}/` },
    });
    expect(toolError(refused)).toMatchObject(REFUSED);
    expect(site.connections).toBe(before);
    expect(attempts.slice(from)).toEqual([]);
  });
});
