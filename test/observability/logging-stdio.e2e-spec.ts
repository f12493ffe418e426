import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { connectStdio } from '@rampart/testing';

const ROOT = resolve(__dirname, '../..');
const MAIN = resolve(__dirname, 'logging-stdio.main.ts');
// The fixture server's own files run through ts-node (transpile only); `@rampart/*` are the built
// libraries, as an app's dependencies are (`npm test` builds them first). Transpiling the libraries'
// sources through the tsconfig path aliases instead made each start take several seconds more.
const NODE_ARGS = ['-r', 'ts-node/register', MAIN];
const ENV = {
  TS_NODE_TRANSPILE_ONLY: '1',
  TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'),
  TS_NODE_COMPILER_OPTIONS: JSON.stringify({ rootDir: '.' }),
};

const waitFor = async (check: () => boolean, timeoutMs = 5_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

describe('call logs of a server on stdio', () => {
  it('go to stderr as JSON lines, with redacted arguments; the client sees only the protocol', async () => {
    const stdio = await connectStdio(process.execPath, NODE_ARGS, { env: ENV, cwd: ROOT });
    const clientErrors: Error[] = [];
    stdio.client.onerror = (e) => clientErrors.push(e);
    try {
      const result = await stdio.client.callTool({
        name: 'profile',
        arguments: { email: 'ada@example.com', password: 'hunter2', note: 'hi' },
      });
      expect((result.content as { text: string }[])[0].text).toBe('saved ada@example.com');
      await waitFor(() => stdio.stderr().includes('"tools/call profile"'));
      const calls = stdio
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"correlationId"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(calls).toEqual([
        expect.objectContaining({
          msg: 'tools/call profile',
          transport: 'stdio',
          outcome: 'success',
          arguments: { email: '[REDACTED]', password: '[REDACTED]', note: 'hi' },
        }),
      ]);
      // Nest's own logs went through the same pino, to stderr too
      expect(stdio.stderr()).toMatch(/"context":"Mcp:calc","msg":"Serving on stdio"/);
      expect(clientErrors).toEqual([]);
    } finally {
      await stdio.close();
    }
  }, 30_000);

  it('stdout carries JSON-RPC messages only, from boot to exit', async () => {
    const child = spawn(process.execPath, NODE_ARGS, {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const stdout: string[] = [];
    const responses = new Map<number, Record<string, unknown>>();
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout.push(line);
      try {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (typeof message.id === 'number') responses.set(message.id, message);
      } catch {
        // kept in stdout, checked below
      }
    });
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1.0.0' },
      },
    });
    await waitFor(() => responses.has(1), 20_000);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'add', arguments: { a: 1, b: 2 } },
    });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'upstream', arguments: {} },
    });
    await waitFor(() => responses.has(2) && responses.has(3));
    await waitFor(() => stderr.includes('"tools/call upstream"'));
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
    clearTimeout(killer);

    expect(responses.get(2)).toMatchObject({ result: { content: [{ type: 'text', text: '3' }] } });
    expect(stdout.length).toBeGreaterThanOrEqual(3);
    for (const line of stdout) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toContain('"msg":"tools/call add"');
    expect(stderr).toMatch(/"tool":"upstream".*"errorCode":"UPSTREAM_DOWN"/);
  }, 30_000);
});
