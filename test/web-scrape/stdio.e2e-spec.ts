import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { connectStdio } from '@rampart/testing';
import { appEnv, builtWebScrape, hasLog, waitFor } from './built-app';
import {
  ARTICLE_TEXT,
  closedPortUrl,
  FIXTURE_EGRESS_ENV,
  FixtureSite,
  LARGE_TEXT,
} from './fixture-site';

type Block = { type: string; text?: string; uri?: string };

let site: FixtureSite;
let main: string;
beforeAll(async () => {
  main = builtWebScrape();
  site = await new FixtureSite().start();
});
afterAll(() => site?.stop());

describe.each(['modern', 'legacy'] as const)('the built web-scrape app on stdio, %s era', (era) => {
  let stdio: Awaited<ReturnType<typeof connectStdio>>;
  const clientErrors: Error[] = [];

  beforeAll(async () => {
    stdio = await connectStdio(process.execPath, [main, '--stdio'], {
      era,
      env: appEnv(FIXTURE_EGRESS_ENV),
    });
    // A line on stdout that is not JSON-RPC would be reported here.
    stdio.client.onerror = (e) => clientErrors.push(e);
  }, 15_000);
  afterAll(() => stdio?.close());

  it('lists its tools', async () => {
    const { tools } = await stdio.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'batch_scrape',
      'cancel_task',
      'crawl_site',
      'get_metrics',
      'get_task_result',
      'get_task_status',
      'scrape_url',
    ]);
  });

  it('scrapes a page, and reads a large one back through its resource link', async () => {
    const small = await stdio.client.callTool({
      name: 'scrape_url',
      arguments: { url: `${site.url}/article` },
    });
    expect(small.content).toEqual([{ type: 'text', text: ARTICLE_TEXT }]);

    const large = await stdio.client.callTool({
      name: 'scrape_url',
      arguments: { url: `${site.url}/large`, maxChars: 50 },
    });
    const link = (large.content as Block[]).find((b) => b.type === 'resource_link')!;
    expect(link.uri).toMatch(/^rampart:\/\/resources\//);
    const read = await stdio.client.readResource({ uri: link.uri! });
    expect(read.contents).toEqual([{ uri: link.uri, mimeType: 'text/plain', text: LARGE_TEXT }]);
  });

  it('answers failures as tool errors; the log lines they cause go to stderr', async () => {
    const failed = await stdio.client.callTool({
      name: 'scrape_url',
      arguments: { url: `${await closedPortUrl()}/` },
    });
    expect(failed.isError).toBe(true);
    expect(JSON.parse((failed.content as Block[])[0].text!)).toMatchObject({
      code: 'NETWORK_ERROR',
    });
    // stderr and stdout are two pipes: the log line may arrive just after the response.
    await waitFor(() =>
      hasLog(stdio.stderr(), 'Mcp:web-scrape', 'Tool scrape_url failed with NETWORK_ERROR'),
    );
    // pino's level 40 is warn.
    expect(
      hasLog(stdio.stderr(), 'Mcp:web-scrape', 'Tool scrape_url failed with NETWORK_ERROR', 40),
    ).toBe(true);
    expect(clientErrors).toEqual([]);
  });

  it('wrote its startup logs to stderr', () => {
    const stderr = stdio.stderr();
    expect(hasLog(stderr, 'NestFactory', 'Starting Nest application')).toBe(true);
    expect(hasLog(stderr, 'Mcp:web-scrape', 'Serving on stdio')).toBe(true);
  });
});

describe('stdout of the built web-scrape app on stdio', () => {
  it('carries JSON-RPC messages only, from boot to exit, while the logs go to stderr', async () => {
    const child = spawn(process.execPath, [main, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: appEnv(FIXTURE_EGRESS_ENV),
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines: string[] = [];
    const responses = new Map<number, any>();
    const done = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        try {
          const message = JSON.parse(line);
          if (typeof message.id === 'number') responses.set(message.id, message);
        } catch {
          // Counted below: every line must parse.
        }
        if (responses.size === 3) resolve();
      });
      child.on('exit', () => resolve());
    });
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'scrape_url', arguments: { url: `${site.url}/article` } },
    });
    // A failure that the server logs (a warning with its cause).
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'scrape_url', arguments: { url: `${await closedPortUrl()}/` } },
    });
    await done;
    await waitFor(() => stderr.includes('Tool scrape_url failed with NETWORK_ERROR'));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', (c) => resolve(c)),
    );
    clearTimeout(killer);

    expect(code).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(responses.get(1).result.serverInfo).toMatchObject({ name: 'web-scrape' });
    expect(responses.get(2).result.content).toEqual([{ type: 'text', text: ARTICLE_TEXT }]);
    expect(responses.get(3).result.isError).toBe(true);
    expect(hasLog(stderr, 'NestFactory', 'Starting Nest application')).toBe(true);
    expect(hasLog(stderr, 'Mcp:web-scrape', 'Tool scrape_url failed with NETWORK_ERROR')).toBe(
      true,
    );
  }, 20_000);
});
