import { ToolError } from '@rampart/core';
import { decisionOf, failureOfError, failureOfToolError } from './call-outcome';

describe('call outcomes', () => {
  it('maps structured codes to decisions', () => {
    expect(decisionOf('FORBIDDEN')).toBe('denied');
    expect(decisionOf('UNAUTHORIZED')).toBe('denied');
    expect(decisionOf('RATE_LIMITED')).toBe('rate-limited');
    expect(decisionOf('CIRCUIT_OPEN')).toBe('rate-limited');
    expect(decisionOf('OVERLOADED')).toBe('rate-limited');
    expect(decisionOf('BUDGET_EXHAUSTED')).toBe('rate-limited');
    expect(decisionOf('INVALID_ARGUMENTS')).toBe('failed');
    expect(decisionOf('NETWORK_ERROR')).toBe('allowed');
  });

  it('reads the code and correlation id of the ToolError behind an isError result', () => {
    expect(
      failureOfToolError(
        new ToolError('INTERNAL_ERROR', 'x', { details: { correlationId: 'c-1' } }),
      ),
    ).toEqual({ errorCode: 'INTERNAL_ERROR', decision: 'allowed', correlationId: 'c-1' });
    expect(failureOfToolError(new ToolError('RATE_LIMITED', 'slow down'))).toEqual({
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
    expect(failureOfError({ code: -32600, data: { code: 'FORBIDDEN' } }).decision).toBe('denied');
    expect(failureOfError({ code: -32602, data: { code: 'NOT_FOUND' } })).toMatchObject({
      errorCode: 'NOT_FOUND',
      decision: 'failed',
    });
    expect(failureOfError(new Error('boom'))).toMatchObject({ errorCode: 'ERROR' });
  });
});
