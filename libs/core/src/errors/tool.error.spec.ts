import { ToolError, isToolError } from './tool.error';

describe('ToolError', () => {
  it('is not retryable unless it says so', () => {
    expect(new ToolError('NOT_FOUND', 'gone').retryable).toBe(false);
    expect(new ToolError('NETWORK_ERROR', 'reset', { retryable: true }).retryable).toBe(true);
  });

  it('carries whose fault it is, and a caller fault is never retryable', () => {
    const caller = new ToolError('INVALID_URL', 'credentials', {
      fault: 'caller',
      retryable: true,
    });
    expect(caller).toMatchObject({ fault: 'caller', retryable: false });
    const upstream = new ToolError('UPSTREAM_GARBLED', 'garbage', { fault: 'upstream' });
    expect(upstream).toMatchObject({ fault: 'upstream', retryable: false });
    expect(new ToolError('X', 'y').fault).toBeUndefined();
    expect(isToolError(caller)).toBe(true);
  });

  it('keeps the fault out of the body sent to the client', () => {
    const error = new ToolError('INVALID_URL', 'credentials', {
      fault: 'caller',
      suggestions: ['Remove them'],
    });
    expect(error.toJSON()).toEqual({
      code: 'INVALID_URL',
      message: 'credentials',
      retryable: false,
      suggestions: ['Remove them'],
    });
  });
});
