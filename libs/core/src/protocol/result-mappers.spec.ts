import { ForbiddenException, HttpException, Logger } from '@nestjs/common';
import { ProtocolError } from '@modelcontextprotocol/server';
import { ToolError } from '../errors/tool.error';
import { McpProtocolError } from '../errors/mcp-protocol.error';
import type { ToolEntry } from '../registry/registry.interfaces';
import {
  toCallToolResult,
  toCompleteResult,
  toGetPromptResult,
  toReadResourceResult,
  toToolErrorResult,
} from './result-mappers';

const tool = (extra: Partial<ToolEntry> = {}): ToolEntry => ({
  name: 't',
  source: 'T.t',
  definition: { name: 't', inputSchema: { type: 'object' } },
  invoke: async () => undefined,
  ...extra,
});

class SilentLogger extends Logger {
  errors: string[] = [];
  override error(message: string) {
    this.errors.push(message);
  }
  override warn() {}
}

describe('result mappers', () => {
  it('maps strings, objects and nothing to content', async () => {
    expect(await toCallToolResult('hi', tool())).toEqual({
      content: [{ type: 'text', text: 'hi' }],
    });
    expect(await toCallToolResult({ a: 1 }, tool())).toEqual({
      content: [{ type: 'text', text: '{"a":1}' }],
    });
    expect(await toCallToolResult(undefined, tool())).toEqual({ content: [] });
  });

  it('passes a full CallToolResult through', async () => {
    const result = { content: [{ type: 'image' as const, data: 'AA==', mimeType: 'image/png' }] };
    expect(await toCallToolResult(result, tool())).toBe(result);
  });

  it('puts a value into structuredContent when the tool has an output schema, and checks it', async () => {
    const outputValidator = (v: unknown) =>
      typeof (v as { sum?: unknown }).sum === 'number'
        ? { ok: true as const, value: v }
        : { ok: false as const, issues: [{ path: 'sum', message: 'sum must be a number' }] };
    expect(await toCallToolResult({ sum: 3 }, tool({ outputValidator }))).toEqual({
      content: [{ type: 'text', text: '{"sum":3}' }],
      structuredContent: { sum: 3 },
    });
    await expect(toCallToolResult({ sum: 'x' }, tool({ outputValidator }))).rejects.toMatchObject({
      code: 'INVALID_OUTPUT',
    });
  });

  it('maps a ToolError to a structured isError body', () => {
    const result = toToolErrorResult(
      new ToolError('RATE_LIMITED', 'slow down', {
        retryable: true,
        retryAfterMs: 1000,
        suggestions: ['wait'],
      }),
      't',
      new SilentLogger(),
    );
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual({
      code: 'RATE_LIMITED',
      message: 'slow down',
      retryable: true,
      retryAfterMs: 1000,
      suggestions: ['wait'],
    });
  });

  it('maps Nest HTTP exceptions from guards and pipes to tool error codes', () => {
    const forbidden = toToolErrorResult(new ForbiddenException(), 't', new SilentLogger());
    expect(JSON.parse((forbidden.content[0] as { text: string }).text)).toMatchObject({
      code: 'FORBIDDEN',
      retryable: false,
    });
    const limited = toToolErrorResult(
      new HttpException('Too Many Requests', 429),
      't',
      new SilentLogger(),
    );
    expect(JSON.parse((limited.content[0] as { text: string }).text)).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
    });
  });

  it('masks unexpected errors and logs them with the same correlation id', () => {
    const logger = new SilentLogger();
    const result = toToolErrorResult(new Error('password=hunter2'), 't', logger);
    const text = (result.content[0] as { text: string }).text;
    expect(text).not.toContain('hunter2');
    const { correlationId } = JSON.parse(text).details;
    expect(logger.errors[0]).toContain(correlationId);
  });

  it('rethrows protocol faults as JSON-RPC errors', () => {
    expect(() =>
      toToolErrorResult(new McpProtocolError(-32602, 'bad'), 't', new SilentLogger()),
    ).toThrow(ProtocolError);
  });

  it('maps resource values: text, bytes, JSON', () => {
    expect(toReadResourceResult('x', 'a://b', 'text/plain')).toEqual({
      contents: [{ uri: 'a://b', mimeType: 'text/plain', text: 'x' }],
    });
    expect(toReadResourceResult(Buffer.from('hi'), 'a://b')).toEqual({
      contents: [{ uri: 'a://b', blob: 'aGk=' }],
    });
    expect(toReadResourceResult({ k: 1 }, 'a://b')).toEqual({
      contents: [{ uri: 'a://b', mimeType: 'application/json', text: '{"k":1}' }],
    });
  });

  it('maps prompt values and rejects what is not a prompt', () => {
    expect(toGetPromptResult('Do it', 'desc')).toEqual({
      description: 'desc',
      messages: [{ role: 'user', content: { type: 'text', text: 'Do it' } }],
    });
    expect(() => toGetPromptResult(42)).toThrow(/must return a string/);
  });

  it('caps completions at 100 values and says there are more', () => {
    const values = Array.from({ length: 150 }, (_, i) => `v${i}`);
    const result = toCompleteResult(values);
    expect(result.completion.values).toHaveLength(100);
    expect(result.completion).toMatchObject({ total: 150, hasMore: true });
  });
});
