import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { McpModule, MODERN_PROTOCOL_VERSION } from '@rampart/core';
import { CallRecorder, ObservabilityModule, type CallRecord } from '@rampart/observability';
import { createMcpTestApp, mcpTestMatrix, type McpTestApp } from '@rampart/testing';
import { CalcTools } from './metrics-fixture';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

const spanNamed = (name: string): ReadableSpan => {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (!span)
    throw new Error(
      `no span "${name}"; got ${exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', ')}`,
    );
  return span;
};

const app = (setup: Partial<Parameters<typeof createMcpTestApp>[0]>) =>
  createMcpTestApp({
    imports: [
      McpModule.forRoot({ name: 'calc', version: '1.0.0' }),
      ObservabilityModule.forRoot({ tracing: true }),
    ],
    providers: [CalcTools],
    ...setup,
  });

describe.each(mcpTestMatrix((s) => s.adapter !== 'fastify' || s.era === 'modern'))(
  'tracing over %s',
  (_name, setup) => {
    let t: McpTestApp;
    const records: CallRecord[] = [];

    beforeAll(async () => {
      t = await app(setup);
      t.app.get(CallRecorder).subscribe((r) => records.push(r));
    });
    afterAll(() => t.close());
    beforeEach(() => {
      exporter.reset();
      records.length = 0;
    });

    it('makes one SERVER span per tools/call, parented on _meta.traceparent, with the tool span active', async () => {
      await t.client.callTool({
        name: 'traced',
        arguments: {},
        _meta: { traceparent: TRACEPARENT },
      });
      const server = spanNamed('tools/call traced');
      expect(server.kind).toBe(SpanKind.SERVER);
      expect(server.spanContext().traceId).toBe(TRACE_ID);
      expect(server.parentSpanContext?.spanId).toBe(PARENT_ID);
      expect(server.parentSpanContext?.isRemote).toBe(true);
      expect(server.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'traced',
        'gen_ai.operation.name': 'execute_tool',
        'rampart.outcome': 'success',
      });
      expect(server.attributes['jsonrpc.request.id']).toEqual(expect.any(String));
      expect(server.status.code).not.toBe(SpanStatusCode.ERROR);
      // the tool's own span is a child of the request span
      const inner = spanNamed('inner-work');
      expect(inner.spanContext().traceId).toBe(TRACE_ID);
      expect(inner.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
      // the record carries the trace id, which is also the correlation id
      const record = records.find((r) => r.tool === 'traced')!;
      expect(record.traceId).toBe(TRACE_ID);
      expect(record.correlationId).toBe(TRACE_ID);
    });

    it('marks failed calls: status ERROR, error.type, outcome', async () => {
      await t.client.callTool({ name: 'upstream', arguments: {} });
      const span = spanNamed('tools/call upstream');
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({
        'error.type': 'UPSTREAM_DOWN',
        'rampart.outcome': 'error',
        'rampart.decision': 'allowed',
      });
      // no traceparent: a root span of a new trace
      expect(span.parentSpanContext).toBeUndefined();

      await t.client.callTool({ name: 'guarded', arguments: { deny: true } });
      expect(spanNamed('tools/call guarded').attributes).toMatchObject({
        'error.type': 'FORBIDDEN',
        'rampart.decision': 'denied',
      });
    });

    it('spans every other method too', async () => {
      await t.client.readResource({ uri: 'note://hello' });
      expect(spanNamed('resources/read').attributes).toMatchObject({
        'mcp.method.name': 'resources/read',
        'mcp.resource.uri': 'note://hello',
      });
    });
  },
);

describe('tracing over HTTP headers', () => {
  let t: McpTestApp;
  let client: Client;

  beforeAll(async () => {
    t = await app({ transport: 'http' });
    client = new Client(
      { name: 'header-client', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(t.url!, {
        requestInit: { headers: { traceparent: TRACEPARENT } },
      }),
    );
  });
  afterAll(async () => {
    await client.close();
    await t.close();
  });
  beforeEach(() => exporter.reset());

  it('parents the span on the traceparent header when _meta has none', async () => {
    await client.callTool({ name: 'traced', arguments: {} });
    const server = spanNamed('tools/call traced');
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(spanNamed('inner-work').parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  });

  it('prefers _meta.traceparent over the header', async () => {
    const metaTrace = '0af7651916cd43dd8448eb211c80319c';
    await client.callTool({
      name: 'traced',
      arguments: {},
      _meta: { traceparent: `00-${metaTrace}-b7ad6b7169203331-01` },
    });
    const server = spanNamed('tools/call traced');
    expect(server.spanContext().traceId).toBe(metaTrace);
    expect(server.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });
});
