import { Injectable } from '@nestjs/common';
import {
  context,
  isSpanContextValid,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { McpRequest } from '@rampart/core';
import type { TracingOptions } from '../interfaces/observability-module-options.interface';
import type { CallRecord } from '../recording/call-record.interface';
import { parseTraceparent } from './traceparent';

/** Default name of the tracer (instrumentation scope). */
export const DEFAULT_TRACER_NAME = '@rampart/observability';

const SERVER_SPAN = { kind: SpanKind.SERVER } as const;

/** The API's no-op provider: what the global proxy delegates to while no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Whether an OpenTelemetry SDK (any tracer provider) is registered now. */
function sdkRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/** The span of one request and the context it is active in. */
export interface TraceScope {
  readonly span: Span;
  readonly context: Context;
  /** Trace id, when the span context is valid (recorded or propagated). */
  readonly traceId?: string;
}

/**
 * One OpenTelemetry span per MCP request (kind SERVER, named `{mcp.method.name} {target}` after
 * OpenTelemetry's MCP conventions), parented on the client's W3C `traceparent` from `_meta`, else
 * on an active span (HTTP instrumentation), else on the `traceparent` HTTP header; the span is
 * the active context while the handler runs, so the tool's own spans are its children. With no
 * SDK registered, the API's no-op tracer answers and no attribute is built.
 *
 * @example
 * ```ts
 * // main.ts: register any SDK before the app starts; Rampart's spans go to it.
 * new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] }).register();
 * ```
 */
@Injectable()
export class McpTracing {
  private readonly tracer: Tracer;
  private readonly acceptClientTrace: boolean;

  constructor(options: TracingOptions) {
    this.tracer = trace.getTracer(options.tracerName ?? DEFAULT_TRACER_NAME);
    this.acceptClientTrace = options.acceptClientTrace !== false;
  }

  /** Starts the request's span; `undefined` when nothing records or propagates it. */
  start(request: McpRequest): TraceScope | undefined {
    // No SDK and no trace from the client: nothing would be recorded or propagated, so nothing
    // is built (checked per request: an SDK may be registered after boot).
    if (!sdkRegistered() && !this.hasClientTrace(request)) return undefined;
    const parent = this.parentOf(request);
    const named = request.method === 'tools/call' || request.method === 'prompts/get';
    const span = this.tracer.startSpan(
      named && request.target ? `${request.method} ${request.target}` : request.method,
      SERVER_SPAN,
      parent,
    );
    const spanContext = span.spanContext();
    if (!span.isRecording()) {
      // The no-op tracer without a parent: nothing to record, nothing to propagate.
      if (!isSpanContextValid(spanContext)) return undefined;
    } else span.setAttributes(startAttributes(request));
    return {
      span,
      context: trace.setSpan(parent, span),
      traceId: isSpanContextValid(spanContext) ? spanContext.traceId : undefined,
    };
  }

  /** Runs `next` with the request's span active. */
  run<T>(scope: TraceScope, next: () => Promise<T>): Promise<T> {
    return context.with(scope.context, next);
  }

  /** Ends the span with the request's outcome. */
  end(scope: TraceScope, record: CallRecord): void {
    const span = scope.span;
    if (span.isRecording()) {
      span.setAttribute('rampart.outcome', record.outcome);
      span.setAttribute('rampart.decision', record.decision);
      if (record.outcome === 'error') {
        span.setAttribute('error.type', record.errorCode ?? 'ERROR');
        span.setStatus({ code: SpanStatusCode.ERROR, message: record.errorCode });
      }
    }
    span.end();
  }

  private hasClientTrace(request: McpRequest): boolean {
    return (
      this.acceptClientTrace &&
      (typeof request.meta?.traceparent === 'string' || request.origin.headerTrace !== undefined)
    );
  }

  private parentOf(request: McpRequest): Context {
    const active = context.active();
    if (!this.acceptClientTrace) return active;
    const meta = request.meta;
    const fromMeta = meta?.traceparent;
    if (typeof fromMeta === 'string') {
      const spanContext = parseTraceparent(fromMeta, meta?.tracestate);
      if (spanContext) return trace.setSpanContext(active, spanContext);
    }
    if (trace.getSpan(active)) return active;
    const header = request.origin.headerTrace;
    if (header) {
      const spanContext = parseTraceparent(header.traceparent, header.tracestate);
      if (spanContext) return trace.setSpanContext(active, spanContext);
    }
    return active;
  }
}

function startAttributes(request: McpRequest): Attributes {
  const attributes: Attributes = {
    'mcp.method.name': request.method,
    'jsonrpc.request.id': String(request.id),
    'rampart.server': request.server,
  };
  const target = request.target;
  if (target !== undefined) {
    if (request.method === 'tools/call') {
      attributes['gen_ai.tool.name'] = target;
      attributes['gen_ai.operation.name'] = 'execute_tool';
    } else if (request.method === 'prompts/get') attributes['gen_ai.prompt.name'] = target;
    else if (request.method.startsWith('resources/')) attributes['mcp.resource.uri'] = target;
  }
  const origin = request.origin;
  if (origin.protocolVersion) attributes['mcp.protocol.version'] = origin.protocolVersion;
  if (origin.transport === 'stdio') attributes['network.transport'] = 'pipe';
  else if (origin.transport === 'http') attributes['network.transport'] = 'tcp';
  const headers = (origin.request as { headers?: Record<string, unknown> } | undefined)?.headers;
  const session = headers?.['mcp-session-id'];
  if (typeof session === 'string') attributes['mcp.session.id'] = session;
  return attributes;
}
