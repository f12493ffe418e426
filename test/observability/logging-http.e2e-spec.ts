import { Writable } from 'node:stream';
import { McpModule } from '@rampart/core';
import { ObservabilityModule } from '@rampart/observability';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { CalcTools } from './metrics-fixture';

class Lines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString().split('\n'))
      if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

describe.each(['express', 'fastify'] as const)('logging.httpRequests on %s', (adapter) => {
  let t: McpTestApp;
  const out = new Lines();

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
        ObservabilityModule.forRoot({
          metrics: true,
          logging: { destination: out, httpRequests: true },
        }),
      ],
      providers: [CalcTools],
      transport: 'http',
      adapter,
    });
  });
  afterAll(() => t.close());

  it('logs other HTTP requests with pino-http, and the MCP endpoint only as call lines', async () => {
    out.lines.length = 0;
    await t.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await (await fetch(new URL('/metrics', t.url))).text();
    // nestjs-pino keeps one pino-http instance per process, made by the first app: the Express
    // app's, so only its lines are checked here. pino-http writes its line when the response
    // has finished, which may be after the client has it.
    if (adapter === 'express') {
      const deadline = Date.now() + 10_000;
      while (!out.lines.some((l) => 'req' in l) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      const requests = out.lines.filter((l) => 'req' in l);
      expect(requests.map((l) => (l.req as { url: string }).url)).toEqual(['/metrics']);
    }
    expect(out.lines.filter((l) => l.msg === 'tools/call add')).toHaveLength(1);
  });
});
