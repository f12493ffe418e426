import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SafeFetcherOptions } from '@rampart/security';

/**
 * The app's egress for tests whose fixtures listen on loopback (refused by default): 127.0.0.1
 * allowed, on any port (the fixtures take free ports). As `AppModule.forRoot({ egress })`...
 */
export const FIXTURE_EGRESS: SafeFetcherOptions = { allow: ['127.0.0.1'], ports: 'any' };
/** ...and as the environment of a spawned app. */
export const FIXTURE_EGRESS_ENV = { EGRESS_ALLOW: '127.0.0.1', EGRESS_PORTS: 'any' };

/** The words of the article page that a reader sees, in order. */
export const ARTICLE_TEXT =
  'The Rampart Gazette Hello, world & friends. Fish & chips — “quoted” <not a tag> The end.';

/** A long page: numbered sentences, so that the preview and the whole text can be told apart. */
export const LARGE_SENTENCES = Array.from(
  { length: 300 },
  (_, i) => `Sentence number ${i + 1} of the large page.`,
);
export const LARGE_TEXT = LARGE_SENTENCES.join(' ');

/** A page of about 50 KB of text (the seed's example size), for the context-saving figure. */
export const LONG_SENTENCES = Array.from(
  { length: 760 },
  (_, i) => `Paragraph ${i + 1} of the long page says something worth reading here.`,
);

const ARTICLE = `<!doctype html>
<html>
  <head>
    <title>The Rampart Gazette</title>
    <style>body { color: red; } .secret { display: none }</style>
    <script>window.secret = "script text must not leak";</script>
  </head>
  <body>
    <!-- a comment that must not leak -->
    <h1 class="title" data-x="a > b">Hello, <b>wor</b>ld &amp; friends.</h1>
    <p>Fish &amp; chips &#8212; &ldquo;quoted&rdquo; &lt;not a tag&gt;</p>
    <noscript>Enable JavaScript</noscript>
    <script type="module">import('evil')</script>
    <p>The end.</p>
  </body>
</html>`;

/** A loopback URL where nothing listens: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A local web site for the scraper to fetch, on 127.0.0.1 and a free port. */
export class FixtureSite {
  private server?: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url = '';
  /** Requests seen, by path. */
  readonly hits = new Map<string, number>();
  /** Requests whose connection closed before the page was sent in full, by path. */
  readonly dropped = new Map<string, number>();

  /** Starts the site. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops the site, dropping the requests it still holds open. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    res.on('close', () => {
      if (!res.writableFinished) this.dropped.set(path, (this.dropped.get(path) ?? 0) + 1);
    });
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    switch (path) {
      case '/article':
        return send(200, 'text/html; charset=utf-8', ARTICLE);
      case '/large':
        return send(
          200,
          'text/html',
          `<html><body>${LARGE_SENTENCES.map((s) => `<p>${s}</p>`).join('\n')}</body></html>`,
        );
      case '/long':
        return send(
          200,
          'text/html; charset=utf-8',
          `<html><body>${LONG_SENTENCES.map((s) => `<p>${s}</p>`).join('\n')}</body></html>`,
        );
      case '/untyped':
        res.writeHead(200, { 'content-length': 9 });
        return void res.end('what am I');
      case '/redirect': {
        // To wherever ?to= says: a hop the app must check as it checks the first URL.
        const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/plain';
        res.writeHead(302, { location: to, 'content-length': 0 });
        return void res.end();
      }
      case '/plain':
        return send(200, 'text/plain', 'Plain <b>text</b> is returned as served.');
      case '/latin1':
        return send(
          200,
          'text/html; charset=iso-8859-1',
          Buffer.from('<p>Caf\xe9 cr\xe8me</p>', 'latin1'),
        );
      case '/image':
        return send(
          200,
          'image/png',
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        );
      case '/huge':
        return send(200, 'text/plain', 'x'.repeat(64 * 1024));
      case '/error':
        return send(500, 'text/plain', 'upstream broke');
      case '/missing':
        return send(404, 'text/plain', 'not here');
      case '/slow':
        // Answers long after any client timeout in the tests.
        return this.later(5_000, () => send(200, 'text/plain', 'too late'));
      case '/stall':
        // Headers and the start of the body now, the rest never (within the tests).
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<p>first half');
        return this.later(5_000, () => res.end('</p>'));
      default:
        return send(404, 'text/plain', 'no such page');
    }
  }
}
