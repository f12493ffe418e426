import {
  answerWithToolError,
  McpProtocolError,
  ToolError,
  type McpRequest,
  type ToolErrorOptions,
} from '@rampart/core';
import type { CallRecord } from './call-record.interface';
import { CallRecorder } from './call-recorder';

const request = (overrides: Partial<McpRequest> = {}): McpRequest => ({
  server: 'srv',
  method: 'tools/call',
  id: 1,
  target: 'echo',
  arguments: { text: 'hi' },
  origin: { transport: 'memory', era: 'modern', identity: { subject: 'u1' } },
  ...overrides,
});

/** Ends the hook's call as the dispatcher ends a failed tool call. */
const failing = (code: string, options: ToolErrorOptions) => (req: McpRequest) => async () =>
  answerWithToolError(req, new ToolError(code, 'x', options));

describe('CallRecorder', () => {
  let recorder: CallRecorder;
  let records: CallRecord[];

  beforeEach(() => {
    recorder = new CallRecorder();
    records = [];
    recorder.subscribe((r) => records.push(r));
  });

  it('records a request refused at admission as rate-limited, with no duration', () => {
    const refusal = new McpProtocolError(
      -32050,
      'Server overloaded',
      { code: 'OVERLOADED', retryAfterMs: 1000 },
      503,
      1000,
    );
    recorder.refused(request(), refusal);
    expect(records).toEqual([
      expect.objectContaining({
        tool: 'echo',
        outcome: 'error',
        decision: 'rate-limited',
        errorCode: 'OVERLOADED',
        durationMs: 0,
      }),
    ]);
    expect(recorder.inFlight()).toBe(0);
  });

  it('records a successful tool call once, with its raw arguments and identity', async () => {
    const args = { text: 'hi' };
    await expect(
      recorder.around(request({ arguments: args }), async () => ({ content: [] })),
    ).resolves.toEqual({ content: [] });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      server: 'srv',
      method: 'tools/call',
      tool: 'echo',
      target: 'echo',
      era: 'modern',
      transport: 'memory',
      identity: { subject: 'u1' },
      outcome: 'success',
      decision: 'allowed',
    });
    expect(records[0].arguments).toBe(args);
    expect(records[0].errorCode).toBeUndefined();
    expect(records[0].correlationId).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(records[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(records[0].startedAt).toBeLessThanOrEqual(Date.now());
    await recorder.around(request(), async () => ({ content: [] }));
    expect(records[1].correlationId).not.toBe(records[0].correlationId);
  });

  it('classifies tool errors by what their library said of them and keeps the correlation id', async () => {
    for (const [code, options] of [
      ['INTERNAL_ERROR', { details: { correlationId: 'corr-1' } }],
      ['FORBIDDEN', { refusal: 'denied' }],
      ['RATE_LIMITED', { refusal: 'throttled' }],
      ['INVALID_ARGUMENTS', { fault: 'caller' }],
    ] as const) {
      const req = request();
      await recorder.around(req, failing(code, options)(req));
    }
    expect(records.map((r) => [r.outcome, r.decision, r.errorCode])).toEqual([
      ['error', 'allowed', 'INTERNAL_ERROR'],
      ['error', 'denied', 'FORBIDDEN'],
      ['error', 'rate-limited', 'RATE_LIMITED'],
      ['error', 'failed', 'INVALID_ARGUMENTS'],
    ]);
    expect(records[0].correlationId).toBe('corr-1');
  });

  it('records a rejected request and rethrows its error', async () => {
    const error = Object.assign(new Error('Unknown tool: nope'), { code: -32602 });
    await expect(
      recorder.around(request({ target: 'nope' }), () => Promise.reject(error)),
    ).rejects.toBe(error);
    expect(records[0]).toMatchObject({ outcome: 'error', decision: 'failed', errorCode: '-32602' });
  });

  it('names prompts as the tool, not resources', async () => {
    await recorder.around(request({ method: 'prompts/get', target: 'card' }), async () => ({}));
    await recorder.around(
      request({ method: 'resources/read', target: 'note://x' }),
      async () => ({}),
    );
    expect(records.map((r) => [r.tool, r.target])).toEqual([
      ['card', 'card'],
      [undefined, 'note://x'],
    ]);
  });

  it('undoes its in-flight count when starting the span throws', async () => {
    const tracing = {
      start: () => {
        throw new Error('tracer broke');
      },
    };
    const broken = new CallRecorder(undefined, tracing as never);
    await expect(broken.around(request(), async () => ({ content: [] }))).rejects.toThrow(
      'tracer broke',
    );
    expect(broken.inFlight()).toBe(0);
  });

  it('counts requests in flight', async () => {
    let release!: () => void;
    const pending = recorder.around(
      request(),
      () => new Promise((resolve) => (release = () => resolve({ content: [] }))),
    );
    expect(recorder.inFlight()).toBe(1);
    release();
    await pending;
    expect(recorder.inFlight()).toBe(0);
  });

  it('never fails a call because a listener threw, and stops calling unsubscribed listeners', async () => {
    const later: CallRecord[] = [];
    const unsubscribe = recorder.subscribe(() => {
      throw new Error('listener bug');
    });
    recorder.subscribe((r) => later.push(r));
    await expect(recorder.around(request(), async () => 'ok')).resolves.toBe('ok');
    expect(later).toHaveLength(1);
    unsubscribe();
    await recorder.around(request(), async () => 'ok');
    expect(later).toHaveLength(2);
    expect(records).toHaveLength(2);
  });
});
