import type { ServerResponse } from 'node:http';
import { isToolError } from '@rampart/core';
import {
  isEgressContentTypeError,
  isEgressNetworkError,
  isEgressRedirectLimitError,
  isEgressRefusedError,
  isEgressTimeoutError,
  isEgressTooLargeError,
  SafeFetcher,
  type SafeFetcherOptions,
} from '@rampart/security';
import {
  closedPort,
  guardConnections,
  MemoryLogger,
  poolSettled,
  ScriptedResolver,
  startFixture,
  type Fixture,
} from './egress.fixture';

/** Rejection of `promise`, or a failure if it resolves. */
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );

const redirect = (res: ServerResponse, status: number, location: string) => {
  res.writeHead(status, { location, 'content-type': 'text/plain' });
  res.end(`see ${location}`);
};

describe('SafeFetcher against loopback fixtures', () => {
  let attempts: string[];
  let fixture: Fixture;
  let other: Fixture;
  let resolver: ScriptedResolver;
  let logger: MemoryLogger;
  const fetchers: SafeFetcher[] = [];

  /** A fetcher whose options reach the fixtures (their port, 127.0.0.1) unless `options` say otherwise. */
  const fetcherWith = (options: SafeFetcherOptions = {}) => {
    const fetcher = new SafeFetcher({
      allow: ['127.0.0.1/32'],
      ports: [fixture.port, other.port],
      resolver,
      logger,
      ...options,
    });
    fetchers.push(fetcher);
    return fetcher;
  };

  beforeAll(async () => {
    fixture = await startFixture((req, res, body) => {
      const url = new URL(req.url!, 'http://x');
      const path = url.pathname;
      if (path === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-fixture': 'yes' });
        res.end('<p>héllo</p>');
      } else if (path === '/page-close') {
        res.writeHead(200, { 'content-type': 'text/html', connection: 'close' });
        res.end('<p>bye</p>');
      } else if (path === '/latin1') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=iso-8859-1' });
        res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      } else if (path === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, body, headers: req.headers }));
      } else if (path === '/redirect') {
        redirect(res, Number(url.searchParams.get('status') ?? 302), url.searchParams.get('to')!);
      } else if (path.startsWith('/loop/')) {
        redirect(res, 302, `/loop/${Number(path.slice(6)) + 1}`);
      } else if (path === '/missing') {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<p>not here</p>');
      } else if (path === '/missing-image') {
        res.writeHead(404, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(64));
      } else if (path === '/image') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(64));
      } else if (path === '/geo') {
        res.writeHead(200, { 'content-type': 'application/geo+json' });
        res.end('{"type":"Point"}');
      } else if (path === '/untyped') {
        res.writeHead(200);
        res.end('what am I');
      } else if (path === '/stream') {
        // More than any cap the tests set, as long as the client keeps reading.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(16_384, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 8_388_608 && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      } else if (path === '/declared-large') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10485760' });
        res.write('a');
      } else if (path === '/stall-headers') {
        // Never answers.
      } else if (path === '/stall-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first bytes, then nothing');
      } else if (path === '/reset') {
        req.socket.destroy();
      } else {
        res.writeHead(500);
        res.end();
      }
    });
    other = await startFixture((req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, body, headers: req.headers }));
    });
  });
  afterAll(async () => {
    await fixture.close();
    await other.close();
  });

  beforeEach(() => {
    attempts = guardConnections();
    resolver = new ScriptedResolver({ 'fixture.test': ['127.0.0.1'] });
    logger = new MemoryLogger();
  });
  afterEach(async () => {
    await Promise.all(fetchers.splice(0).map((f) => f.close()));
    jest.restoreAllMocks();
  });

  describe('fetching', () => {
    it('fetches an allowed fixture and reuses one kept-alive connection', async () => {
      const fetcher = fetcherWith();
      const before = fixture.connections;
      const first = await fetcher.get(fixture.url('/page'));
      await poolSettled();
      const second = await fetcher.get(fixture.url('/page'));
      expect(first.body).toBe('<p>héllo</p>');
      expect(second.body).toBe('<p>héllo</p>');
      expect(fixture.connections - before).toBe(1);
      expect(attempts).toEqual([`127.0.0.1:${fixture.port}`]);
    });

    it('answers the final URL, status, headers, media type, size and redirects', async () => {
      const target = fixture.url('/page');
      const page = await fetcherWith().get(
        fixture.url(`/redirect?status=301&to=${encodeURIComponent(target)}`),
      );
      expect(page).toEqual({
        url: target,
        status: 200,
        ok: true,
        headers: expect.objectContaining({ 'x-fixture': 'yes' }),
        contentType: 'text/html; charset=utf-8',
        mediaType: 'text/html',
        body: '<p>héllo</p>',
        bytes: Buffer.byteLength('<p>héllo</p>'),
        redirects: [target],
      });
    });

    it('connects to an allowed name at the address it resolved, the name kept as Host', async () => {
      const fetcher = fetcherWith({ allow: ['fixture.test'] });
      const echo = await fetcher.get(`http://fixture.test:${fixture.port}/echo`);
      expect(JSON.parse(echo.body).headers.host).toBe(`fixture.test:${fixture.port}`);
      expect(resolver.lookups).toEqual(['fixture.test']);
      expect(attempts).toEqual([`127.0.0.1:${fixture.port}`]);
    });

    it('decodes the charset the response names, or gives the bytes', async () => {
      const fetcher = fetcherWith();
      expect((await fetcher.get(fixture.url('/latin1'))).body).toBe('café');
      const raw = await fetcher.get(fixture.url('/latin1'), { responseType: 'buffer' });
      expect(raw.body).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    });

    it('returns a non-2xx answer rather than failing, its body read only if its type is allowed', async () => {
      const fetcher = fetcherWith();
      const missing = await fetcher.get(fixture.url('/missing'));
      expect([missing.status, missing.ok, missing.body]).toEqual([404, false, '<p>not here</p>']);
      const image = await fetcher.get(fixture.url('/missing-image'));
      expect([image.status, image.body, image.bytes]).toEqual([404, '', 0]);
    });
  });

  describe('refusing', () => {
    const names: Record<string, string[]> = {
      'loopback.test': ['127.0.0.1'],
      'loopback6.test': ['::1'],
      'ten.test': ['10.0.0.1'],
      'oneseventwo.test': ['172.16.5.4'],
      'oneninetwo.test': ['192.168.1.1'],
      'metadata.test': ['169.254.169.254'],
      'cgnat.test': ['100.64.1.1'],
      'linklocal6.test': ['fe80::1'],
      'ula.test': ['fd12::1'],
      'multicast.test': ['224.0.0.251'],
      'multicast6.test': ['ff02::fb'],
      'unspecified.test': ['0.0.0.0'],
      'unspecified6.test': ['::'],
      'broadcast.test': ['255.255.255.255'],
      'testnet1.test': ['192.0.2.10'],
      'testnet2.test': ['198.51.100.10'],
      'testnet3.test': ['203.0.113.10'],
      'doc6.test': ['2001:db8::10'],
      'bench.test': ['198.18.0.10'],
      'reserved.test': ['240.0.0.10'],
      'mapped.test': ['::ffff:127.0.0.1'],
      'compatible.test': ['::7f00:1'],
      'nat64.test': ['64:ff9b::7f00:1'],
      'nat64local.test': ['64:ff9b:1:7f00:0:100::'],
      'sixtofour.test': ['2002:7f00:1::1'],
      'teredo.test': ['2001:0:808:808::80ff:fffe'],
      'mixed.test': ['93.184.215.14', '127.0.0.1'],
    };

    beforeEach(() => {
      for (const [name, addresses] of Object.entries(names)) resolver.set(name, addresses);
    });

    it.each(Object.keys(names))(
      'refuses %s by the address it resolves to, without a connection',
      async (name) => {
        // No allow list: the fixture's loopback address is refused like any other.
        const fetcher = fetcherWith({ allow: [] });
        const before = fixture.connections;
        const error = await rejectionOf(fetcher.get(`http://${name}:${fixture.port}/page`));
        expect(isEgressRefusedError(error)).toBe(true);
        expect(resolver.lookups).toEqual([name]);
        expect(attempts).toEqual([]);
        expect(fixture.connections).toBe(before);
      },
    );

    it.each([
      '127.0.0.1',
      '127.1',
      '0x7f000001',
      '0x7f.0.0.1',
      '2130706433',
      '0177.0.0.1',
      '017700000001',
      '127.0.0.1.',
      '%31%32%37.0.0.1',
      '0',
      '[::1]',
      '[::]',
      '[::ffff:7f00:1]',
      '[::ffff:127.0.0.1]',
      '[0:0:0:0:0:ffff:127.0.0.1]',
      '[::127.0.0.1]',
      '[64:ff9b::127.0.0.1]',
      '[64:ff9b:1:7f00:0:100::]',
      '[2002:7f00:1::]',
      '[2001:0:808:808::80ff:fffe]',
      '10.0.0.1',
      '0300.0250.0.1',
      '169.254.169.254',
      '[fe80::1]',
      '[fd00::1]',
    ])('refuses http://%s:<port>/ as an IP literal, without DNS or a connection', async (host) => {
      const fetcher = fetcherWith({ allow: [] });
      const before = fixture.connections;
      const error = await rejectionOf(fetcher.get(`http://${host}:${fixture.port}/page`));
      expect(isEgressRefusedError(error)).toBe(true);
      expect(resolver.lookups).toEqual([]);
      expect(attempts).toEqual([]);
      expect(fixture.connections).toBe(before);
    });

    it('gives one error, whatever the reason; the reason goes to the log', async () => {
      const fetcher = fetcherWith({ allow: [], deny: ['denied.test'] });
      const blocked = await closedPort();
      const urls = [
        `http://127.0.0.1:${blocked}/`, // a port outside the policy
        `http://10.0.0.1:${fixture.port}/`, // a private address
        `http://ten.test:${fixture.port}/`, // a name resolving to one
        `http://nowhere.test:${fixture.port}/`, // a name that does not resolve
        `http://denied.test:${fixture.port}/`, // a denied name
        `http://127.0.0.1:${fixture.port}/`, // an open loopback port
      ];
      const errors: unknown[] = [];
      for (const url of urls) errors.push(await rejectionOf(fetcher.get(url)));
      expect(new Set(errors.map((e) => JSON.stringify(e))).size).toBe(1);
      expect(errors.every((e) => isEgressRefusedError(e))).toBe(true);
      const body = JSON.stringify(errors[0]);
      for (const detail of ['10.0.0.1', '127.0.0.1', 'ten.test', 'ENOTFOUND', 'deny', `${blocked}`])
        expect(body).not.toContain(detail);
      expect(attempts).toEqual([]);
      expect(logger.lines).toEqual([
        expect.stringContaining(`port ${blocked} is not in the allowed ports`),
        expect.stringContaining('private (10.0.0.0/8)'),
        expect.stringContaining('ten.test resolved to 10.0.0.1: private'),
        expect.stringContaining('did not resolve (ENOTFOUND)'),
        expect.stringContaining('the host is on the deny list'),
        expect.stringContaining('loopback (127.0.0.0/8)'),
      ]);
    });

    it('fails with a network error, the upstream’s, on an allowed port where nothing listens', async () => {
      const port = await closedPort();
      const error = await rejectionOf(
        fetcherWith({ ports: [port] }).get(`http://127.0.0.1:${port}/`),
      );
      expect(isEgressNetworkError(error)).toBe(true);
      expect(isToolError(error) && [error.retryable, error.fault]).toEqual([true, 'upstream']);
    });
  });

  describe('DNS rebinding', () => {
    it('connects only to the address it checked, resolving once per connection', async () => {
      // The name answers a public address to the check, and the fixture's loopback address to
      // anyone who asks again: the fetch must go to the public address (blocked by the guard
      // here), never to the fixture.
      resolver.set('rebind.test', [['93.184.215.14'], ['127.0.0.1']]);
      const fetcher = fetcherWith({ allow: [] });
      const before = fixture.connections;
      const error = await rejectionOf(fetcher.get(`http://rebind.test:${fixture.port}/page`));
      expect(isEgressNetworkError(error)).toBe(true);
      expect(resolver.lookups).toEqual(['rebind.test']);
      expect(attempts).toEqual([`93.184.215.14:${fixture.port}`]);
      expect(fixture.connections).toBe(before);
    });

    it('keeps a pooled connection on its checked address, and checks a new connection again', async () => {
      resolver.set('flip.test', [['127.0.0.1'], ['10.0.0.1']]);
      const fetcher = fetcherWith({ allow: ['127.0.0.1/32'] });
      const url = `http://flip.test:${fixture.port}/page`;
      expect((await fetcher.get(url)).status).toBe(200);
      await poolSettled();
      expect((await fetcher.get(url)).status).toBe(200);
      expect(resolver.lookups).toEqual(['flip.test']);
      // The server closes the connection after this answer: the next fetch needs a new one,
      // which resolves again, and the new answer is refused.
      await poolSettled();
      expect((await fetcher.get(`http://flip.test:${fixture.port}/page-close`)).status).toBe(200);
      await poolSettled();
      expect(isEgressRefusedError(await rejectionOf(fetcher.get(url)))).toBe(true);
      expect(resolver.lookups).toEqual(['flip.test', 'flip.test']);
      expect(attempts).toEqual([`127.0.0.1:${fixture.port}`]);
    });
  });

  describe('redirects', () => {
    const via = (to: string, status = 302) =>
      fixture.url(`/redirect?status=${status}&to=${encodeURIComponent(to)}`);

    it.each([
      ['a loopback port outside the policy', () => 'http://127.0.0.1:9/'],
      ['a loopback address not allowed', () => `http://127.0.0.2:${fixture.port}/page`],
      ['a private address', () => `http://10.0.0.1:${fixture.port}/page`],
      ['cloud metadata', () => `http://169.254.169.254:${fixture.port}/latest/meta-data/`],
      ['a name resolving to a private address', () => `http://ten.test:${fixture.port}/`],
      ['an IPv4-mapped loopback', () => `http://[::ffff:127.0.0.2]:${fixture.port}/`],
      ['a file URL', () => 'file:///etc/passwd'],
      ['a gopher URL', () => 'gopher://127.0.0.1:6379/_INFO'],
      ['a URL with credentials', () => `http://user:pw@127.0.0.1:${fixture.port}/page`],
    ])('refuses a redirect to %s, without a connection there', async (_what, target) => {
      resolver.set('ten.test', ['10.0.0.1']);
      const fetcher = fetcherWith();
      const error = await rejectionOf(fetcher.get(via(target())));
      expect(isEgressRefusedError(error)).toBe(true);
      expect(attempts).toEqual([`127.0.0.1:${fixture.port}`]);
      expect(fixture.requests.at(-1)).toMatch(/^GET \/redirect/);
    });

    it('refuses a redirect to another allowed port that the policy does not name', async () => {
      const fetcher = fetcherWith({ ports: [fixture.port] });
      const before = other.connections;
      const error = await rejectionOf(fetcher.get(via(other.url('/'))));
      expect(isEgressRefusedError(error)).toBe(true);
      expect(other.connections).toBe(before);
    });

    it('follows at most maxRedirects hops', async () => {
      const fetcher = fetcherWith({ maxRedirects: 3 });
      const before = fixture.requests.length;
      const error = await rejectionOf(fetcher.get(fixture.url('/loop/0')));
      expect(isEgressRedirectLimitError(error)).toBe(true);
      expect(isToolError(error) && [error.fault, error.retryable]).toEqual(['caller', false]);
      expect(fixture.requests.slice(before)).toEqual([
        'GET /loop/0',
        'GET /loop/1',
        'GET /loop/2',
        'GET /loop/3',
      ]);
      const two = await rejectionOf(fetcher.get(fixture.url('/loop/0'), { maxRedirects: 1 }));
      expect(isEgressRedirectLimitError(two)).toBe(true);
    });

    it.each([
      [301, 'POST', 'GET', ''],
      [302, 'POST', 'GET', ''],
      [303, 'POST', 'GET', ''],
      [303, 'PUT', 'GET', ''],
      [307, 'POST', 'POST', 'payload'],
      [308, 'PUT', 'PUT', 'payload'],
      [301, 'PUT', 'PUT', 'payload'],
    ])('after a %i, a %s is sent again as %s', async (status, method, expected, body) => {
      const answer = await fetcherWith().fetch(via('/echo', status), {
        method,
        body: 'payload',
        headers: { 'content-type': 'text/plain' },
      });
      const echo = JSON.parse(answer.body) as {
        method: string;
        body: string;
        headers: Record<string, string>;
      };
      expect([echo.method, echo.body]).toEqual([expected, body]);
      expect(echo.headers['content-type']).toBe(body ? 'text/plain' : undefined);
    });

    it('keeps credentials headers on the same origin only', async () => {
      const fetcher = fetcherWith();
      const headers = { authorization: 'Bearer secret', cookie: 'a=b', 'x-keep': '1' };
      const same = JSON.parse((await fetcher.get(via('/echo'), { headers })).body);
      expect(same.headers).toMatchObject(headers);
      const cross = JSON.parse((await fetcher.get(via(other.url('/echo')), { headers })).body);
      expect(cross.headers.authorization).toBeUndefined();
      expect(cross.headers.cookie).toBeUndefined();
      expect(cross.headers['x-keep']).toBe('1');
    });
  });

  describe('limits', () => {
    it('stops reading a streamed body past maxBodyBytes', async () => {
      const error = await rejectionOf(
        fetcherWith({ maxBodyBytes: 65_536 }).get(fixture.url('/stream')),
      );
      expect(isEgressTooLargeError(error)).toBe(true);
      expect(isToolError(error) && [error.code, error.fault, error.retryable]).toEqual([
        'TOO_LARGE',
        'caller',
        false,
      ]);
    });

    it('refuses a body whose declared length is over the cap without reading it', async () => {
      const error = await rejectionOf(
        fetcherWith().get(fixture.url('/declared-large'), { maxBodyBytes: 1_000 }),
      );
      expect(isEgressTooLargeError(error)).toBe(true);
    });

    it.each(['/stall-headers', '/stall-body'])(
      'gives up on %s at totalTimeoutMs, as a retryable upstream timeout',
      async (path) => {
        const error = await rejectionOf(
          fetcherWith({ totalTimeoutMs: 200 }).get(fixture.url(path)),
        );
        expect(isEgressTimeoutError(error)).toBe(true);
        expect(isToolError(error) && [error.code, error.fault, error.retryable]).toEqual([
          'TIMEOUT',
          'upstream',
          true,
        ]);
      },
    );

    it('rejects with the caller’s reason when the caller’s signal aborts', async () => {
      const controller = new AbortController();
      const reason = new Error('the client left');
      const pending = fetcherWith().get(fixture.url('/stall-headers'), {
        signal: controller.signal,
      });
      setImmediate(() => controller.abort(reason));
      expect(await rejectionOf(pending)).toBe(reason);
    });

    it('refuses media types outside contentTypes before reading them', async () => {
      const fetcher = fetcherWith();
      for (const path of ['/image', '/untyped']) {
        const error = await rejectionOf(fetcher.get(fixture.url(path)));
        expect(isEgressContentTypeError(error)).toBe(true);
        expect(isToolError(error) && error.fault).toBe('caller');
      }
      const any = await fetcher.get(fixture.url('/untyped'), { contentTypes: ['*/*'] });
      expect(any.body).toBe('what am I');
      expect(isEgressContentTypeError(await rejectionOf(fetcher.get(fixture.url('/geo'))))).toBe(
        true,
      );
      const geo = await fetcher.get(fixture.url('/geo'), { contentTypes: ['*/*+json'] });
      expect([geo.mediaType, geo.body]).toEqual(['application/geo+json', '{"type":"Point"}']);
    });

    it('fails with a retryable network error when an allowed upstream resets the connection', async () => {
      const error = await rejectionOf(fetcherWith().get(fixture.url('/reset')));
      expect(isEgressNetworkError(error)).toBe(true);
      expect(isToolError(error) && [error.code, error.fault, error.retryable]).toEqual([
        'NETWORK_ERROR',
        'upstream',
        true,
      ]);
    });
  });
});
