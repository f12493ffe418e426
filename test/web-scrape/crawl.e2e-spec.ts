import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MODERN_PROTOCOL_VERSION } from '@rampart/core';
import { RedisTaskStore, TaskStore } from '@rampart/tasks';
import {
  createMcpTestApp,
  mcpTestMatrix,
  toolError,
  type McpTestApp,
  type McpTestSetup,
} from '@rampart/testing';
import { Redis } from 'ioredis';
import { AppModule } from '../../apps/web-scrape/src/app.module';
import type { CrawlResult } from '../../apps/web-scrape/src/crawl.tools';
import {
  guardConnections,
  MemoryLogger,
  ScriptedResolver,
  startFixture,
  type Fixture,
} from '../egress/egress.fixture';
import { itWith } from '../services';

/**
 * `crawl_site` against a local site, reached by the name `site.test` only: an injected resolver
 * maps it (and `other.test`, a second site that is allowed but off the crawl's origin) to
 * 127.0.0.1, without DNS, and every socket the process opens is recorded and only loopback ones
 * go through (`guardConnections`): what the crawl would have fetched elsewhere shows in the log
 * and never leaves the machine.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The answer to every refused target, whatever the reason (as scrape_url's). */
const REFUSED = {
  code: 'EGRESS_REFUSED',
  message: 'The URL is refused: this server fetches only public web addresses on allowed ports.',
  retryable: false,
};
const METADATA = 'http://169.254.169.254/latest/meta-data/';

/** A request the site got: its path (with query) and the Host it was sent for. */
interface Hit {
  path: string;
  host: string;
}

let site: Fixture;
let other: Fixture;
let attempts: string[];
let resolver: ScriptedResolver;
let logger: MemoryLogger;
const hits: Hit[] = [];
/** Responses of `/slow/*` dropped by the client before they were sent. */
let slowDropped = 0;
/** Releases the `/hold` page. */
let release: () => void = () => undefined;
const held = new Set<ServerResponse>();

const html = (res: ServerResponse, body: string): void =>
  void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
const base = () => `http://site.test:${site.port}`;
const hitsOf = (prefix: string) => hits.filter((h) => h.path.startsWith(prefix));

function serveSite(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  hits.push({ path: `${url.pathname}${url.search}`, host: req.headers.host ?? '' });
  const path = url.pathname;
  if (path === '/')
    return html(
      res,
      `<!doctype html><html><head><title>Home</title></head><body>
      <a href="/a">A</a> <a href="b#part">B</a> <a href="/b">B again</a>
      <a href="http://other.test:${other.port}/x">another site, allowed but off the crawl</a>
      <a href="http://127.0.0.1:${site.port}/secret">this server by its address</a>
      <a href="mailto:someone@example.com">mail</a> <a href="javascript:alert(1)">script</a>
      <!-- <a href="/in-comment">not a link</a> -->
      <script>var s = '<a href="/in-script">not a link</a>';</script>
      <a href="/hop?to=${encodeURIComponent(METADATA)}">metadata through a redirect</a>
      </body></html>`,
    );
  if (path === '/a') return html(res, '<base href="/sub/"><a href="x">X</a><a href="/">home</a>');
  if (path === '/b') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('B');
  if (path === '/sub/x') return html(res, '<p>The deep page.</p><a href="/a#again">A</a>');
  if (path === '/hop')
    return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
  if (path === '/wide')
    return html(
      res,
      Array.from({ length: 30 }, (_, i) => `<a href="/w/${i}">page ${i}</a>`).join('\n'),
    );
  if (path.startsWith('/w/')) return html(res, `<p>Wide page ${path.slice(3)}</p>`);
  if (path === '/crowded')
    return html(
      res,
      Array.from(
        { length: 12_000 },
        (_, i) => `<a href="/c/${i}">c</a><a href="http://elsewhere.test/${i}">e</a>`,
      ).join(''),
    );
  if (path === '/holdroot') return html(res, '<a href="/hold">held</a>');
  if (path === '/hold') {
    // Answered when the test says so.
    held.add(res);
    release = () => {
      held.delete(res);
      html(res, '<p>released</p>');
    };
    return;
  }
  if (path === '/slowroot')
    return html(
      res,
      Array.from({ length: 10 }, (_, i) => `<a href="/slow/${i}">slow ${i}</a>`).join('\n'),
    );
  if (path.startsWith('/slow/')) {
    // Never answered: a fetch in flight until the client drops it.
    res.on('close', () => {
      if (!res.writableFinished) slowDropped++;
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
}

beforeAll(async () => {
  site = await startFixture(serveSite);
  other = await startFixture((_req, res) => html(res, '<p>the other site</p>'));
  attempts = guardConnections();
});
afterAll(async () => {
  jest.restoreAllMocks();
  await Promise.all([site?.close(), other?.close()]);
});

/** The app as every test here runs it: the two names allowed, limits out of the way. */
function appModule(extra: Parameters<typeof AppModule.forRoot>[0] = {}) {
  return AppModule.forRoot({
    redisUrl: undefined,
    egress: { allow: ['site.test', 'other.test'], ports: 'any', resolver, logger },
    crawlRateLimits: [{ points: 1_000, perMs: 60_000 }],
    catalog: false,
    tasks: { pollIntervalMs: 50 },
    ...extra,
  });
}

function newResolver(): ScriptedResolver {
  return new ScriptedResolver({ 'site.test': ['127.0.0.1'], 'other.test': ['127.0.0.1'] });
}

/** Polls `read` until `done` holds; fails after `limitMs` (a bound for a slow machine). */
async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  limitMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${limitMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface TaskStatus {
  taskId: string;
  status: string;
  statusMessage?: string;
}

/** A client without the tasks extension: crawls through a handle and the status tools. */
class HandleClient {
  constructor(private readonly client: Client) {}

  call(name: string, args: Record<string, unknown>) {
    return this.client.callTool({ name, arguments: args });
  }

  /** Starts a crawl; resolves with the task id of the handle it answers at once. */
  async start(args: Record<string, unknown>): Promise<string> {
    const handle = await this.call('crawl_site', args);
    expect(handle.isError).toBeFalsy();
    const { taskId, status } = handle.structuredContent as { taskId: string; status: string };
    expect(status).toBe('working');
    return taskId;
  }

  async status(taskId: string): Promise<TaskStatus> {
    return (await this.call('get_task_status', { taskId })).structuredContent as TaskStatus;
  }

  /** Polls the status until the task is over, then reads its result. */
  async result(taskId: string) {
    await until(
      () => this.status(taskId),
      (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    );
    return this.call('get_task_result', { taskId });
  }

  /** Crawls and answers the crawl's result. */
  async crawl(args: Record<string, unknown>): Promise<CrawlResult> {
    const result = await this.result(await this.start(args));
    expect(result.isError).toBeFalsy();
    return result.structuredContent as CrawlResult;
  }
}

describe.each(
  mcpTestMatrix((s) => s.era === 'modern' && (s.transport === 'memory' || s.adapter === 'express')),
)('crawl_site over %s', (_name, setup: McpTestSetup) => {
  let t: McpTestApp;
  let c: HandleClient;

  beforeAll(async () => {
    resolver = newResolver();
    logger = new MemoryLogger();
    t = await createMcpTestApp({ imports: [appModule()], ...setup });
    c = new HandleClient(t.client);
  });
  afterAll(() => t?.close());

  it('is listed with the status tools that serve its handles', async () => {
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
    const crawl = tools.find((x) => x.name === 'crawl_site')!;
    expect(crawl.inputSchema).toMatchObject({
      properties: {
        url: { type: 'string' },
        maxPages: { type: 'integer', minimum: 1, maximum: 100 },
        format: { enum: ['text', 'html'] },
      },
      required: ['url'],
    });
    expect(crawl.annotations).toEqual({ readOnlyHint: true, openWorldHint: true });
  });

  it('answers a client without the tasks extension a handle at once, then the crawl through get_task_status and get_task_result', async () => {
    const from = hits.length;
    const lookups = resolver.lookups.length;
    const attemptsFrom = attempts.length;
    const handle = await c.call('crawl_site', { url: `${base()}/` });
    expect(handle.isError).toBeFalsy();
    expect(handle.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('Task id'),
    });
    const { taskId } = handle.structuredContent as { taskId: string };
    const result = await c.result(taskId);
    expect(result.isError).toBeFalsy();
    const crawl = result.structuredContent as CrawlResult;

    // Same-origin links only, each once, fragments dropped, relative ones (and <base>) resolved.
    expect(crawl.pages.map((p) => p.url)).toEqual([
      `${base()}/`,
      `${base()}/a`,
      `${base()}/b`,
      `${base()}/sub/x`,
    ]);
    // The same-origin link that redirects to the metadata address: refused, and reported.
    expect(crawl.failures).toEqual([
      { url: `${base()}/hop?to=${encodeURIComponent(METADATA)}`, error: REFUSED },
    ]);
    expect(crawl).toMatchObject({
      start: `${base()}/`,
      fetched: 4,
      failed: 1,
      // other.test and this server by its address: other origins, never fetched.
      offSiteLinks: 2,
      notFetched: 0,
      expires_at: expect.any(String),
    });
    expect(crawl.pages[3]).toMatchObject({ preview: 'The deep page. A', links: 1 });

    // What the site saw: each page of its own once, by its name; nothing in comments or scripts.
    const seen = hits.slice(from);
    expect(seen.map((h) => h.path).sort()).toEqual(
      ['/', '/a', '/b', '/sub/x', `/hop?to=${encodeURIComponent(METADATA)}`].sort(),
    );
    expect(new Set(seen.map((h) => h.host))).toEqual(new Set([`site.test:${site.port}`]));
    // The off-host link was never fetched: never resolved, never connected to, never requested.
    expect(resolver.lookups.slice(lookups)).not.toContain('other.test');
    expect(other.requests).toEqual([]);
    // The redirect to the metadata address opened no socket, nor did the off-host link. (Only
    // these are asserted: the guard sees every connection of this Jest worker, and a Redis client
    // another suite left reconnecting to its own throwaway server is one of them.)
    const opened = attempts.slice(attemptsFrom);
    expect(opened.filter((a) => a.startsWith('169.254.169.254'))).toEqual([]);
    expect(opened).not.toContain(`127.0.0.1:${other.port}`);
    expect(opened.filter((a) => !a.startsWith('127.0.0.1:'))).toEqual([]);
    expect(logger.lines.join('\n')).toContain('169.254.169.254');

    // A resource link per stored page, readable by the caller.
    const links = result.content.filter((b) => b.type === 'resource_link');
    expect(links.map((l) => l.uri)).toEqual(crawl.pages.map((p) => p.resource_uri));
    const deep = await t.client.readResource({ uri: crawl.pages[3].resource_uri });
    expect(deep.contents[0]).toMatchObject({ mimeType: 'text/plain', text: 'The deep page. A' });
  });

  it('keeps to maxPages and reports what it left; refuses a limit past 100', async () => {
    const from = hitsOf('/w/').length;
    const crawl = await c.crawl({ url: `${base()}/wide`, maxPages: 5 });
    expect(crawl).toMatchObject({ fetched: 5, failed: 0, notFetched: 26 });
    expect(crawl.pages.map((p) => p.url)).toEqual([
      `${base()}/wide`,
      ...[0, 1, 2, 3].map((i) => `${base()}/w/${i}`),
    ]);
    expect(hitsOf('/w/')).toHaveLength(from + 4);

    for (const maxPages of [101, 0, 2.5]) {
      const taskId = await c.start({ url: `${base()}/wide`, maxPages });
      expect(toolError(await c.result(taskId)).code).toBe('INVALID_ARGUMENTS');
    }
    expect(hitsOf('/w/')).toHaveLength(from + 4);
  });

  it('remembers at most 10,000 URLs of its site and 10,000 of others', async () => {
    // The attack: a site whose pages carry hundreds of thousands of links each, all kept by the
    // crawl for as long as it ran. Here one page of 12,000 links on the site and 12,000 off it.
    const crawl = await c.crawl({ url: `${base()}/crowded`, maxPages: 1 });
    expect(crawl).toMatchObject({ fetched: 1, offSiteLinks: 10_000, notFetched: 9_999 });
  });

  it('reports its progress as the status message of its task', async () => {
    const taskId = await c.start({ url: `${base()}/holdroot` });
    // The first page is done, the second held by the site: the task says so while it works.
    await until(
      async () => held.size,
      (n) => n === 1,
    );
    const working = await until(
      () => c.status(taskId),
      (s) => (s.statusMessage ?? '').startsWith('1 of at most 20 pages crawled'),
    ).finally(() => release());
    expect(working).toMatchObject({ status: 'working' });
    expect(working.statusMessage).toMatch(
      /^1 of at most 20 pages crawled \(0 failed\), \d queued$/,
    );
    const result = await c.result(taskId);
    expect((result.structuredContent as CrawlResult).fetched).toBe(2);
  });

  it('stops when its task is cancelled: the fetches in flight are dropped, nothing more is asked', async () => {
    const before = { hits: hitsOf('/slow/').length, dropped: slowDropped };
    const taskId = await c.start({ url: `${base()}/slowroot` });
    // Four pages at once are in flight, the six others queued.
    await until(
      async () => hitsOf('/slow/').length,
      (n) => n >= before.hits + 4,
    );
    const cancelled = await c.call('cancel_task', { taskId });
    expect(cancelled.structuredContent).toMatchObject({ status: 'cancelled' });
    await until(
      async () => slowDropped,
      (n) => n >= before.dropped + 4,
    );
    expect(slowDropped).toBe(before.dropped + 4);
    expect(hitsOf('/slow/')).toHaveLength(before.hits + 4);
    expect(await c.status(taskId)).toMatchObject({ status: 'cancelled' });
    expect(toolError(await c.call('get_task_result', { taskId })).code).toBe('CANCELLED');
    // Still four, once the task's run is over.
    expect(hitsOf('/slow/')).toHaveLength(before.hits + 4);
  });

  it('reports a first page on a private address as refused, without connecting', async () => {
    const attemptsFrom = attempts.length;
    for (const url of ['http://10.0.0.1/', METADATA, `http://127.0.0.1:${site.port}/`]) {
      const crawl = await c.crawl({ url });
      expect(crawl).toMatchObject({ fetched: 0, failed: 1, pages: [] });
      expect(crawl.failures).toEqual([{ url, error: REFUSED }]);
    }
    expect(attempts.slice(attemptsFrom).filter((a) => !a.startsWith('127.0.0.1:'))).toEqual([]);
    expect(hits.filter((h) => h.path === '/' && h.host === `127.0.0.1:${site.port}`)).toEqual([]);
  });
});

describe('crawl_site for a 2025-11-25 client that asks for a task', () => {
  let t: McpTestApp;
  beforeAll(async () => {
    resolver = newResolver();
    logger = new MemoryLogger();
    t = await createMcpTestApp({ imports: [appModule()], transport: 'memory', era: 'legacy' });
  });
  afterAll(() => t?.close());

  const ANY = {
    '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) },
  } as const;
  const rpc = (method: string, params: Record<string, unknown>) =>
    t.client.request({ method, params } as never, ANY as never) as Promise<Record<string, unknown>>;

  it('is a task: created at once, read with tasks/get, answered by tasks/result', async () => {
    const { tools } = await t.client.listTools();
    expect(tools.find((x) => x.name === 'crawl_site')).toMatchObject({
      execution: { taskSupport: 'required' },
    });
    const created = await rpc('tools/call', {
      name: 'crawl_site',
      arguments: { url: `${base()}/sub/x`, maxPages: 2 },
      task: { ttl: 60_000 },
    });
    const { taskId } = created.task as { taskId: string };
    expect(await rpc('tasks/get', { taskId })).toMatchObject({ taskId });
    const result = await rpc('tasks/result', { taskId });
    expect(result.structuredContent).toMatchObject({
      fetched: 2,
      pages: [{ url: `${base()}/sub/x` }, { url: `${base()}/a` }],
    });
    // Asked without a task, the crawl is a task all the same: the call answers its handle.
    const handle = await t.client.callTool({
      name: 'crawl_site',
      arguments: { url: `${base()}/sub/x`, maxPages: 1 },
    });
    expect(handle.structuredContent).toMatchObject({ taskId: expect.any(String) });
  });
});

describe('crawl_site across replicas', () => {
  async function start(keyPrefix: string, keys: { id: string; secret: string }[]) {
    const module = await Test.createTestingModule({
      imports: [
        appModule({
          redisUrl: REDIS_URL,
          resources: { keys },
          tasks: { keyPrefix, pollIntervalMs: 50 },
        }),
      ],
    }).compile();
    const app = module.createNestApplication({ logger: false, forceCloseConnections: true });
    await app.listen(0, '127.0.0.1');
    return app;
  }
  const connect = async (app: INestApplication) => {
    const client = new Client(
      { name: 'crawl-client', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } },
    );
    const port = (app.getHttpServer().address() as { port: number }).port;
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)),
    );
    return client;
  };

  itWith('redis')(
    'answers for a crawl on any replica that shares REDIS_URL: status, result and pages',
    async () => {
      resolver = newResolver();
      logger = new MemoryLogger();
      const keyPrefix = `test:crawl:${randomUUID()}:`;
      const keys = [{ id: 'k1', secret: randomBytes(32).toString('base64') }];
      const [a, b] = await Promise.all([start(keyPrefix, keys), start(keyPrefix, keys)]);
      const [onA, onB] = [await connect(a), await connect(b)];
      try {
        expect(b.get(TaskStore)).toBeInstanceOf(RedisTaskStore);
        const taskId = await new HandleClient(onA).start({ url: `${base()}/sub/x`, maxPages: 2 });
        const fromB = new HandleClient(onB);
        const result = await fromB.result(taskId);
        expect(result.isError).toBeFalsy();
        const crawl = result.structuredContent as CrawlResult;
        expect(crawl.pages.map((p) => p.url)).toEqual([`${base()}/sub/x`, `${base()}/a`]);
        const read = await onB.readResource({ uri: crawl.pages[0].resource_uri });
        expect(read.contents[0]).toMatchObject({ text: 'The deep page. A' });
      } finally {
        await Promise.all([onA.close(), onB.close()]);
        await Promise.all([a.close(), b.close()]);
        const admin = new Redis(REDIS_URL);
        const stale = await admin.keys(`${keyPrefix}*`);
        if (stale.length) await admin.del(...stale);
        await admin.quit();
      }
    },
  );
});
