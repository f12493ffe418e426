import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { connectStdio } from '@rampart/testing';
import { MODERN_PROTOCOL_VERSION } from '@rampart/core';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppProcess } from './app-process';
import { appEnv, builtWebScrape } from './built-app';
import { FIXTURE_EGRESS_ENV } from './fixture-site';

/**
 * The built web-scrape app at a terminal: what it prints once it listens, how it stops on Ctrl-C
 * (SIGINT), and how it refuses bad settings. Every wait is for a line of output or for the
 * process to end, never for time.
 */

/**
 * The app's environment: loopback, a free port, memory stores, its log lines on, and its
 * loopback fixtures allowed.
 */
const env = (extra: Record<string, string> = {}) =>
  appEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: '',
    DATABASE_URL: '',
    ...FIXTURE_EGRESS_ENV,
    ...extra,
  });
const TOOLS = [
  'batch_scrape',
  'cancel_task',
  'crawl_site',
  'get_metrics',
  'get_task_result',
  'get_task_status',
  'scrape_url',
];

const BANNER_END = /^Ctrl-C stops it.*$/m;
const LISTENING = /^web-scrape is listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)$/m;

/** The JSON objects printed as blocks: a line `{`, lines, a line `}`. */
function jsonBlocks(text: string): unknown[] {
  return [...text.matchAll(/^\{\n[\s\S]*?\n\}$/gm)].map((m) => JSON.parse(m[0]) as unknown);
}

interface ClientConfig {
  mcpServers: Record<string, { type?: string; url?: string; command?: string; args?: string[] }>;
}

async function modernClient(url: string): Promise<Client> {
  const client = new Client(
    { name: 'terminal-test', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Opens a 2025-11-25 session and its standalone GET SSE stream, the way such clients hold it. */
async function openLegacyStream(url: string): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'terminal-test', version: '1.0.0' },
      },
    }),
  });
  expect(init.status).toBe(200);
  await init.text();
  const session = {
    'mcp-session-id': init.headers.get('mcp-session-id')!,
    'mcp-protocol-version': '2025-11-25',
  };
  const initialized = await fetch(url, {
    method: 'POST',
    headers: { ...headers, ...session },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  expect(initialized.status).toBe(202);
  const stream = await fetch(url, {
    method: 'GET',
    headers: { accept: 'text/event-stream', ...session },
  });
  expect(stream.status).toBe(200);
  expect(stream.headers.get('content-type')).toContain('text/event-stream');
  return stream.body!.getReader();
}

/** Reads a stream until it ends, by the server closing it cleanly or by the connection dropping. */
async function untilEnded(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done);
  } catch {
    // the connection was closed under the stream: ended too
  }
}

/** An upstream page that answers only when the test says so. */
class HeldPage {
  private server?: Server;
  private held?: ServerResponse;
  private onRequest?: () => void;
  url = '';
  /** Resolves when the scraper's request has arrived. */
  readonly requested = new Promise<void>((resolve) => (this.onRequest = resolve));

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.held = res;
      this.onRequest?.();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/held`;
    return this;
  }

  release(body: string): void {
    this.held?.writeHead(200, { 'content-type': 'text/plain' }).end(body);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

let main: string;
const apps: AppProcess[] = [];
const start = (extra: Record<string, string> = {}) => {
  const app = new AppProcess(process.execPath, [main], env(extra));
  apps.push(app);
  return app;
};

beforeAll(() => {
  main = builtWebScrape();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

describe('web-scrape at the terminal', () => {
  it('prints where it listens and MCP client configurations that work as pasted', async () => {
    const app = start();
    const [, url] = await app.waitFor('stderr', LISTENING);
    await app.waitFor('stderr', BANNER_END);

    // Nothing authenticates callers here, and it says so; and what the scraper may reach.
    expect(app.stderr).toMatch(/^Authentication: none \(.*keep this server on loopback$/m);
    expect(app.stderr).toMatch(/^Egress: public addresses plus 127\.0\.0\.1, on any port$/m);
    const [http, stdio] = jsonBlocks(app.stderr) as ClientConfig[];
    expect(http).toEqual({ mcpServers: { 'web-scrape': { type: 'http', url } } });
    const viaHttp = await modernClient(http.mcpServers['web-scrape'].url!);
    try {
      const { tools } = await viaHttp.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    } finally {
      await viaHttp.close();
    }

    const { command, args } = stdio.mcpServers['web-scrape'];
    expect(args).toEqual([main, '--stdio']);
    const viaStdio = await connectStdio(command!, args!, { env: env() });
    try {
      const { tools } = await viaStdio.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    } finally {
      await viaStdio.close();
    }
  }, 120_000);

  it('stops on Ctrl-C while a 2025-era client holds its SSE stream open', async () => {
    const app = start();
    const [, url] = await app.waitFor('stderr', LISTENING);
    const reader = await openLegacyStream(url);
    const ended = untilEnded(reader);

    app.kill('SIGINT');
    await app.waitFor('stderr', /^web-scrape: stopping on SIGINT/m);
    // It ends by the signal, after closing: not by the watchdog that exits with code 1.
    expect(await app.exit).toEqual({ code: null, signal: 'SIGINT' });
    await ended;
    expect(app.stderr).not.toMatch(/not stopped/);
  }, 120_000);

  it('lets a call in flight finish before it stops on Ctrl-C', async () => {
    const page = await new HeldPage().start();
    try {
      const app = start();
      const [, url] = await app.waitFor('stderr', LISTENING);
      const client = await modernClient(url);
      const call = client.callTool({ name: 'scrape_url', arguments: { url: page.url } });
      await page.requested;

      app.kill('SIGINT');
      await app.waitFor('stderr', /^web-scrape: stopping on SIGINT/m);
      // Draining: the server is still up and waits for the call.
      await app.waitFor('stdout', /waiting up to \d+ ms for 1 in-flight request/);
      page.release('Drained in time.');

      const result = await call;
      expect(result.isError).toBeFalsy();
      expect(result.content).toEqual([{ type: 'text', text: 'Drained in time.' }]);
      expect(await app.exit).toEqual({ code: null, signal: 'SIGINT' });
      await client.close().catch(() => undefined);
    } finally {
      await page.stop();
    }
  }, 120_000);
});

describe('web-scrape refuses a bad setting in one line, before it starts', () => {
  /** Expects exit code 1, one line on stderr naming the setting, and nothing on stdout. */
  async function refused(app: AppProcess, line: RegExp): Promise<void> {
    expect(await app.exit).toEqual({ code: 1, signal: null });
    expect(app.stdout).toBe('');
    const lines = app.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  }

  it.each([
    ['PORT', 'abc', /^web-scrape: PORT="abc" is not a port number: use an integer from 0 to 65535/],
    ['PORT', '65536', /^web-scrape: PORT="65536" is not a port number/],
    [
      'LOG_LEVEL',
      'loud',
      /^web-scrape: LOG_LEVEL="loud" is not a log level: use one of trace, debug, info, warn, error, fatal, silent$/,
    ],
    ['REDIS_URL', 'localhost:6379', /^web-scrape: REDIS_URL="localhost:6379" is not a redis:\/\//],
    [
      'AUTH_ISSUER',
      'https://login.example.com/',
      /^web-scrape: set all of AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL to accept bearer tokens, or none of them$/,
    ],
    [
      'API_KEYS_FILE',
      '/nonexistent/keys.json',
      /^web-scrape: API_KEYS_FILE names \/nonexistent\/keys.json, which does not exist$/,
    ],
    [
      'EGRESS_ALLOW',
      'http://10.0.0.1/',
      /^web-scrape: EGRESS_ALLOW="http:\/\/10.0.0.1\/" holds "http:\/\/10.0.0.1\/", which is neither a host name, a \*.suffix, an IP address nor a CIDR: /,
    ],
    ['EGRESS_PORTS', '80;443', /^web-scrape: EGRESS_PORTS="80;443" is not a list of ports: /],
    [
      'RESOURCE_LINK_KEYS',
      'k1:too-short',
      /^web-scrape: RESOURCE_LINK_KEYS key "k1" has a secret of 9 bytes: give each key 32 bytes or more/,
    ],
  ])(
    '%s=%s',
    async (name, value, line) => {
      await refused(start({ [name]: value }), line);
    },
    60_000,
  );

  it('a port in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await refused(
        start({ PORT: String(port) }),
        new RegExp(
          `^web-scrape: port ${port} on 127\\.0\\.0\\.1 is in use: .*set PORT to a free port`,
        ),
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 60_000);
});
