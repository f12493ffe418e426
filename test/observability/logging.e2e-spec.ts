import { Writable } from 'node:stream';
import { McpModule } from '@rampart/core';
import { ObservabilityModule } from '@rampart/observability';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { CalcTools } from './metrics-fixture';

/** Every destination of this file: nestjs-pino keeps the first app's pino for the process. */
const allLines: Lines[] = [];

/** A pino destination that keeps every line, parsed. */
class Lines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  constructor() {
    super();
    allLines.push(this);
  }
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString().split('\n'))
      if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
  calls(): Record<string, unknown>[] {
    return this.lines.filter((l) => typeof l.correlationId === 'string');
  }
}

const text = (r: { content: unknown }) => (r.content as { text: string }[])[0].text;

describe.each(mcpTestMatrix((s) => s.era === 'modern' || s.transport === 'memory'))(
  'call logs over %s',
  (_name, setup) => {
    let t: McpTestApp;
    let out: Lines;

    beforeAll(async () => {
      out = new Lines();
      t = await createMcpTestApp({
        imports: [
          McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
          ObservabilityModule.forRoot({
            metrics: true,
            logging: { destination: out, arguments: true },
            redaction: { paths: ['card'] },
          }),
        ],
        providers: [CalcTools],
        ...setup,
      });
    });
    afterAll(() => t.close());
    beforeEach(() => (out.lines.length = 0));

    it('writes one structured line per call, arguments redacted, while the tool gets the real values', async () => {
      const args = {
        email: 'ada@example.com',
        password: 'hunter2',
        note: 'call me, token Bearer abc.def',
        card: '4111 1111 1111 1111',
      };
      const result = await t.client.callTool({ name: 'profile', arguments: args });
      expect(text(result)).toBe('saved ada@example.com');
      // the tool received exactly what the client sent
      expect(t.app.get(CalcTools).received.at(-1)).toEqual(args);

      const lines = out.calls();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 30,
        msg: 'tools/call profile',
        server: 'calc',
        method: 'tools/call',
        tool: 'profile',
        era: setup.era,
        transport: setup.transport,
        outcome: 'success',
        decision: 'allowed',
        correlationId: expect.any(String),
        durationMs: expect.any(Number),
        arguments: {
          email: '[REDACTED]',
          password: '[REDACTED]',
          note: 'call me, token [REDACTED]',
          card: '[REDACTED]',
        },
      });
      expect(lines[0].errorCode).toBeUndefined();
      expect(JSON.stringify(out.lines)).not.toMatch(/hunter2|ada@example\.com|4111/);
    });

    it("bounds a line's arguments: undeclared junk left out, a long declared string cut", async () => {
      // The attack: a call whose arguments make every log line of it 50 KB, and push the
      // declared arguments out of a bounded line with junk sent first.
      const args: Record<string, unknown> = {};
      for (let i = 0; i < 900; i++) args[`junk${i}`] = i; // a DTO tool takes 1,000 at most
      Object.assign(args, {
        email: 'ada@example.com',
        password: 'hunter2',
        note: 'n'.repeat(40_000),
      });
      expect(text(await t.client.callTool({ name: 'profile', arguments: args }))).toBe(
        'saved ada@example.com',
      );

      const [line] = out.calls();
      const logged = line.arguments as Record<string, unknown>;
      expect(logged).toMatchObject({ email: '[REDACTED]', password: '[REDACTED]' });
      expect(logged.note).toMatch(/^n+…\[TRUNCATED\]$/);
      expect(Object.keys(logged).filter((key) => key.startsWith('junk'))).toEqual([]);
      expect(JSON.stringify(logged).length).toBeLessThanOrEqual(8_192);
      expect(line.argumentsTruncated).toEqual({
        jsonChars: expect.any(Number),
        omitted: 900,
        cut: 1,
      });
      expect((line.argumentsTruncated as { jsonChars: number }).jsonChars).toBeGreaterThan(40_000);
    });

    it('logs refusals and tool errors at warn, internal errors at error with their correlation id', async () => {
      await t.client.callTool({ name: 'upstream', arguments: {} });
      await t.client.callTool({ name: 'guarded', arguments: { deny: true } });
      const crashed = await t.client.callTool({ name: 'crash', arguments: {} });
      const correlationId = (JSON.parse(text(crashed)) as { details: { correlationId: string } })
        .details.correlationId;
      await expect(t.client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow();

      const lines = out.calls();
      expect(lines.map((l) => [l.tool, l.level, l.errorCode, l.decision])).toEqual([
        ['upstream', 40, 'UPSTREAM_DOWN', 'allowed'],
        ['guarded', 40, 'FORBIDDEN', 'denied'],
        ['crash', 50, 'INTERNAL_ERROR', 'allowed'],
        ['nope', 40, '-32602', 'failed'],
      ]);
      expect(lines[2].correlationId).toBe(correlationId);
    });

    it('writes nothing for list methods, and no HTTP request lines', async () => {
      await t.client.listTools();
      if (t.url) await fetch(new URL('/metrics', t.url));
      expect(out.lines).toEqual([]);
      const requestLines = allLines.flatMap((l) => l.lines).filter((l) => 'req' in l || 'res' in l);
      expect(requestLines).toEqual([]);
    });
  },
);

describe('call logs without arguments, at warn', () => {
  it('leaves arguments out unless asked, and respects the level', async () => {
    const out = new Lines();
    const t = await createMcpTestApp({
      imports: [
        McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
        ObservabilityModule.forRoot({
          logging: { destination: out, level: 'warn', nestLogger: false },
        }),
      ],
      providers: [CalcTools],
    });
    try {
      await t.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      await t.client.callTool({ name: 'upstream', arguments: {} });
      const lines = out.calls();
      expect(lines.map((l) => l.tool)).toEqual(['upstream']);
      expect(lines[0]).not.toHaveProperty('arguments');
    } finally {
      await t.close();
    }
  });
});
