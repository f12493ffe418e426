import { ForbiddenException, HttpException, Logger } from '@nestjs/common';
import { isSpecType, ProtocolError, ResourceNotFoundError } from '@modelcontextprotocol/server';
import { ToolError } from '../errors/tool.error';
import { isMcpProtocolError, McpProtocolError } from '../errors/mcp-protocol.error';
import type { ToolEntry } from '../registry/registry.interfaces';
import {
  toCallToolResult,
  toCompleteResult,
  toGetPromptResult,
  toProtocolError,
  toReadResourceResult,
  toToolError,
  toToolErrorResult,
} from './result-mappers';

/** The `isError` result a failure of tool `t` maps to. */
const failed = (error: unknown, logger = new SilentLogger()) =>
  toToolErrorResult(toToolError(error, 't', logger));

const tool = (extra: Partial<ToolEntry> = {}): ToolEntry => ({
  name: 't',
  source: 'T.t',
  handler: { kind: 'dynamic', options: { name: 't' } },
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

  it('builds results from strings and values that the SDK accepts, without asking it each time', async () => {
    // Results built here are not parsed again on the call path: this holds the SDK to that.
    const values = [
      '',
      'hi',
      'é ✓ 𝄞',
      '\ud800',
      'x'.repeat(100_000),
      0,
      false,
      [1, 'a'],
      { a: { b: [null] } },
      null,
    ];
    for (const value of values)
      expect(isSpecType.CallToolResult(await toCallToolResult(value, tool()))).toBe(true);
  });

  it('refuses a value that has no JSON text (a function), as a malformed result', async () => {
    await expect(toCallToolResult(() => 1, tool())).rejects.toMatchObject({
      code: 'INVALID_OUTPUT',
    });
    await expect(toCallToolResult(Symbol('s'), tool())).rejects.toMatchObject({
      code: 'INVALID_OUTPUT',
    });
  });

  it('refuses a full result with a malformed content block', async () => {
    await expect(
      toCallToolResult({ content: [{ type: 'text', text: 7 }] }, tool()),
    ).rejects.toMatchObject({ code: 'INVALID_OUTPUT' });
    await expect(
      toCallToolResult({ content: [{ type: 'image', data: 'AA==' }] }, tool()),
    ).rejects.toMatchObject({ code: 'INVALID_OUTPUT' });
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
    const result = failed(
      new ToolError('RATE_LIMITED', 'slow down', {
        retryable: true,
        retryAfterMs: 1000,
        suggestions: ['wait'],
      }),
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
    const forbidden = failed(new ForbiddenException());
    expect(JSON.parse((forbidden.content[0] as { text: string }).text)).toMatchObject({
      code: 'FORBIDDEN',
      retryable: false,
    });
    const limited = failed(new HttpException('Too Many Requests', 429));
    expect(JSON.parse((limited.content[0] as { text: string }).text)).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
    });
  });

  it('masks unexpected errors and logs them with the same correlation id', () => {
    const logger = new SilentLogger();
    const result = failed(new Error('password=hunter2'), logger);
    const text = (result.content[0] as { text: string }).text;
    expect(text).not.toContain('hunter2');
    const { correlationId } = JSON.parse(text).details;
    expect(logger.errors[0]).toContain(correlationId);
  });

  it("rethrows protocol faults as Rampart protocol errors, the SDK's included", () => {
    const fault = new McpProtocolError(-32602, 'bad');
    expect(() => toToolError(fault, 't', new SilentLogger())).toThrow(fault);
    let thrown: unknown;
    try {
      toToolError(new ProtocolError(-32600, 'sdk fault', { x: 1 }), 't', new SilentLogger());
    } catch (e) {
      thrown = e;
    }
    expect(isMcpProtocolError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: -32600, message: 'sdk fault', data: { x: 1 } });
  });

  it("maps a resource's failures to Rampart protocol errors, masking unexpected ones", () => {
    const logger = new SilentLogger();
    expect(
      toProtocolError(new ResourceNotFoundError('a://b'), 'Resource a://b', logger),
    ).toMatchObject({ code: -32602, data: { uri: 'a://b' } });
    const masked = toProtocolError(new Error('secret=1'), 'Resource a://b', logger);
    expect(isMcpProtocolError(masked)).toBe(true);
    expect(masked.message).not.toContain('secret');
    expect(logger.errors[0]).toContain((masked.data as { correlationId: string }).correlationId);
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
