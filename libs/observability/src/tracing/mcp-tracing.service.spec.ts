import { trace } from '@opentelemetry/api';
import type { McpRequest } from '@rampart/core';
import { McpTracing } from './mcp-tracing.service';
import { parseTraceparent } from './traceparent';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const request = (meta?: Record<string, unknown>): McpRequest => ({
  server: 's',
  method: 'tools/call',
  id: 1,
  target: 'echo',
  meta,
  origin: { transport: 'memory', era: 'modern' },
});

describe('McpTracing without an OpenTelemetry SDK', () => {
  const tracing = new McpTracing({});

  it('starts nothing when there is no parent to propagate', () => {
    expect(tracing.start(request())).toBeUndefined();
  });

  it('propagates a client traceparent through a non-recording span', async () => {
    const scope = tracing.start(request({ traceparent: TRACEPARENT }))!;
    expect(scope.span.isRecording()).toBe(false);
    expect(scope.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    await expect(tracing.run(scope, async () => 'result')).resolves.toBe('result');
    expect(trace.getSpan(scope.context)?.spanContext().spanId).toBe('00f067aa0ba902b7');
  });

  it('ignores client trace context when told to', () => {
    expect(
      new McpTracing({ acceptClientTrace: false }).start(request({ traceparent: TRACEPARENT })),
    ).toBeUndefined();
  });
});

describe('parseTraceparent', () => {
  it('reads a valid traceparent and tracestate', () => {
    expect(parseTraceparent(TRACEPARENT, 'vendor=x')).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
    });
    expect(parseTraceparent(TRACEPARENT, 'vendor=x')!.traceState!.get('vendor')).toBe('x');
  });

  it('refuses malformed ones', () => {
    for (const bad of [
      'garbage',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      `${TRACEPARENT}-extra`,
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    ])
      expect(parseTraceparent(bad)).toBeUndefined();
  });
});
