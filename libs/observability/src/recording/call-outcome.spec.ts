import { McpProtocolError, ToolError } from '@rampart/core';
import { decisionOf, failureOfError, failureOfToolError } from './call-outcome';

describe('call outcomes', () => {
  it('decides by what the raising library said of the error, whatever its code', () => {
    expect(decisionOf(new ToolError('NO_ENTRY', 'x', { refusal: 'denied' }))).toBe('denied');
    expect(decisionOf(new ToolError('SLOW_DOWN', 'x', { refusal: 'throttled' }))).toBe(
      'rate-limited',
    );
    expect(decisionOf(new ToolError('BAD_URL', 'x', { fault: 'caller' }))).toBe('failed');
    expect(decisionOf(new ToolError('NETWORK_ERROR', 'x', { fault: 'upstream' }))).toBe('allowed');
    // A code alone decides nothing: observability keeps no list of other libraries' codes.
    expect(decisionOf(new ToolError('RATE_LIMITED', 'x'))).toBe('allowed');
  });

  it('reads the code and correlation id of the ToolError behind an isError result', () => {
    expect(
      failureOfToolError(
        new ToolError('INTERNAL_ERROR', 'x', { details: { correlationId: 'c-1' } }),
      ),
    ).toEqual({ errorCode: 'INTERNAL_ERROR', decision: 'allowed', correlationId: 'c-1' });
    expect(
      failureOfToolError(new ToolError('RATE_LIMITED', 'slow down', { refusal: 'throttled' })),
    ).toEqual({
      errorCode: 'RATE_LIMITED',
      decision: 'rate-limited',
    });
    // A tool's own isError result, with no ToolError behind it.
    expect(failureOfToolError(undefined)).toEqual({ errorCode: 'TOOL_ERROR', decision: 'allowed' });
  });

  it('reads JSON-RPC errors', () => {
    expect(failureOfError({ code: -32602, message: 'Unknown tool: nope' })).toEqual({
      errorCode: '-32602',
      decision: 'failed',
      correlationId: undefined,
    });
    expect(failureOfError({ code: -32603, data: { correlationId: 'c-2' } })).toEqual({
      errorCode: '-32603',
      decision: 'allowed',
      correlationId: 'c-2',
    });
    // Refused at admission: the HTTP status tells.
    const shed = new McpProtocolError(-32000, 'busy', { code: 'OVERLOADED' }, 503, 1000);
    expect(failureOfError(shed)).toMatchObject({
      errorCode: 'OVERLOADED',
      decision: 'rate-limited',
    });
    const denied = new McpProtocolError(-32600, 'no', { code: 'FORBIDDEN' }, 403);
    expect(failureOfError(denied).decision).toBe('denied');
    expect(failureOfError({ code: -32602, data: { code: 'NOT_FOUND' } })).toMatchObject({
      errorCode: 'NOT_FOUND',
      decision: 'failed',
    });
    expect(failureOfError(new Error('boom'))).toMatchObject({ errorCode: 'ERROR' });
  });
});
