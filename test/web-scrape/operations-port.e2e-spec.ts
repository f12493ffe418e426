import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { MODERN_PROTOCOL_VERSION } from '@rampart/core';
import { generateApiKey } from '@rampart/security';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from './app-process';
import { appEnv, builtWebScrape } from './built-app';
import { FIXTURE_EGRESS_ENV } from './fixture-site';
import { readinessAfterWarmUp } from '../readiness';

/**
 * The built web-scrape app with `OPS_PORT`: the operational endpoints on a port of their own,
 * without authentication (for probes and scrapers), none of them on the MCP port, which still
 * authenticates its callers; and at SIGTERM readiness turns 503 there while a call drains. Every
 * wait is for a line of output or for the process to end, never for time.
 */

const LISTENING = /^web-scrape is listening on (http:\/\/127\.0\.0\.1:(\d+)\/mcp)$/m;
const OPERATIONS =
  /Operational endpoints \([^)]*\) without authentication on http:\/\/127\.0\.0\.1:(\d+)"/;

/** A keys file with one key of scope `scrape:read`: authentication is on. */
function keysFile(): { path: string; key: string } {
  const k = generateApiKey();
  const path = join(mkdtempSync(join(tmpdir(), 'web-scrape-ops-')), 'keys.json');
  writeFileSync(
    path,
    JSON.stringify([
      {
        id: k.id,
        hash: k.hash,
        subject: 'svc',
        scopes: ['scrape:read'],
        createdAt: new Date().toISOString(),
      },
    ]),
  );
  return { path, key: k.key };
}

/** An upstream page that answers only when the test says so. */
class HeldPage {
  private server?: Server;
  private held?: ServerResponse;
  private onRequest?: () => void;
  url = '';
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
let keys: { path: string; key: string };
const apps: AppProcess[] = [];
const start = (extra: Record<string, string> = {}) => {
  const app = new AppProcess(
    process.execPath,
    [main],
    appEnv({
      PORT: '0',
      OPS_PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: '',
      DATABASE_URL: '',
      API_KEYS_FILE: keys.path,
      ...FIXTURE_EGRESS_ENV,
      ...extra,
    }),
  );
  apps.push(app);
  return app;
};

/** Starts the app and waits until both ports listen; their base URLs. */
async function started(app: AppProcess): Promise<{ mcp: string; ops: string; base: string }> {
  const [, mcp, port] = await app.waitFor('stderr', LISTENING);
  const [, opsPort] = await app.waitFor('stdout', OPERATIONS);
  return { mcp, base: `http://127.0.0.1:${port}`, ops: `http://127.0.0.1:${opsPort}` };
}

beforeAll(() => {
  main = builtWebScrape();
  keys = keysFile();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
});

describe('web-scrape with OPS_PORT', () => {
  it('serves /health/*, /metrics and /slo there without credentials, and none on PORT', async () => {
    const { base, ops, mcp } = await started(start());

    const live = await fetch(`${ops}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', info: { heap: { status: 'up' } } });
    const ready = await readinessAfterWarmUp(`${ops}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: { shutdown: { status: 'up' } },
    });
    const metrics = await fetch(`${ops}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('rampart_requests_in_flight');
    expect((await fetch(`${ops}/slo`)).status).toBe(200);

    for (const path of ['/health/live', '/health/ready', '/metrics', '/slo'])
      expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 404]);
    // The MCP endpoint still wants credentials.
    const anonymous = await fetch(mcp, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    expect(anonymous.status).toBe(401);
  }, 120_000);

  it('answers 503 on readiness there while a call drains at SIGTERM, then stops', async () => {
    const page = await new HeldPage().start();
    try {
      const app = start();
      const { mcp, ops } = await started(app);
      const client = new Client(
        { name: 'ops-test', version: '1.0.0' },
        { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } },
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(mcp), {
          requestInit: { headers: { 'x-api-key': keys.key } },
        }),
      );
      const call = client.callTool({ name: 'scrape_url', arguments: { url: page.url } });
      await page.requested;

      app.kill('SIGTERM');
      await app.waitFor('stdout', /waiting up to \d+ ms for 1 in-flight request/);
      const ready = await fetch(`${ops}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        error: { shutdown: { status: 'down', shuttingDown: true, inFlight: 1 } },
      });
      // Liveness stays up: the kubelet must not restart a pod that is draining.
      expect((await fetch(`${ops}/health/live`)).status).toBe(200);

      page.release('Drained in time.');
      const result = await call;
      expect(result.isError).toBeFalsy();
      expect(result.content).toEqual([{ type: 'text', text: 'Drained in time.' }]);
      expect(await app.exit).toEqual({ code: null, signal: 'SIGTERM' });
      expect(app.stderr).not.toMatch(/not stopped/);
      await client.close().catch(() => undefined);
    } finally {
      await page.stop();
    }
  }, 120_000);

  it('refuses an OPS_PORT in use in one line, before it starts', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const app = start({ OPS_PORT: String(port) });
      expect(await app.exit).toEqual({ code: 1, signal: null });
      expect(app.stdout).toBe('');
      expect(app.stderr.split('\n').filter(Boolean)).toEqual([
        `web-scrape: port ${port} on 127.0.0.1 is in use: stop what listens there, or set OPS_PORT to a free port (OPS_PORT=0 picks one)`,
      ]);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 60_000);
});
