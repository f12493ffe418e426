import { Injectable, Logger, Optional } from '@nestjs/common';
import { McpHook, type McpRequest, type McpRequestHook } from '@rampart/core';
import { performance } from 'node:perf_hooks';
import { McpMetrics } from '../metrics/mcp-metrics.service';
import { McpTracing, type TraceScope } from '../tracing/mcp-tracing.service';
import type { CallRecord, CallRecordListener } from './call-record.interface';
import { failureOfError, failureOfToolError, type Failure } from './call-outcome';
import { nextCorrelationId } from './correlation-id';

const TOOLS_CALL = 'tools/call';
const PROMPTS_GET = 'prompts/get';

/**
 * The one request hook of `@rampart/observability`: it wraps every JSON-RPC request of every
 * server (outside the Nest pipeline, so it also sees calls that guards or validation refused),
 * runs the tracing span and the in-flight gauge around it, and when the request ends builds ONE
 * {@link CallRecord} that it hands to the metrics, the log line and every other listener.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class SlowCalls implements OnModuleInit {
 *   constructor(private readonly recorder: CallRecorder) {}
 *   onModuleInit() {
 *     this.recorder.subscribe((r) => r.durationMs > 1000 && console.warn(`${r.tool} took ${r.durationMs} ms`));
 *   }
 * }
 * ```
 */
@McpHook({ order: -1000 })
@Injectable()
export class CallRecorder implements McpRequestHook {
  private readonly logger = new Logger('Observability');
  private listeners: CallRecordListener[] = [];
  private running = 0;

  constructor(
    @Optional() private readonly metrics?: McpMetrics,
    @Optional() private readonly tracing?: McpTracing,
  ) {}

  /**
   * Calls `listener` with the record of every request that ends from now on, synchronously; a
   * listener that throws is logged and never fails the call. Returns the unsubscribe function.
   */
  subscribe(listener: CallRecordListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Requests running now, across every server. */
  inFlight(): number {
    return this.running;
  }

  /** @internal the hook; see {@link McpRequestHook.around}. */
  async around(request: McpRequest, next: () => Promise<unknown>): Promise<unknown> {
    const startedAt = Date.now();
    const started = performance.now();
    this.running++;
    const gauge = this.metrics?.enter(request);
    let span: TraceScope | undefined;
    let failure: Failure | undefined;
    try {
      // Inside the try: whatever happens, the counts above are undone in `finally`.
      span = this.tracing?.start(request);
      const result = span ? await this.tracing!.run(span, next) : await next();
      if (
        request.method === TOOLS_CALL &&
        typeof result === 'object' &&
        result !== null &&
        (result as { isError?: unknown }).isError === true
      )
        failure = failureOfToolError(request.toolError);
      return result;
    } catch (error) {
      failure = failureOfError(error);
      throw error;
    } finally {
      this.running--;
      gauge?.dec();
      const record = this.recordOf(request, startedAt, performance.now() - started, failure, span);
      if (span) this.tracing!.end(span, record);
      this.metrics?.record(record);
      this.emit(record);
    }
  }

  /**
   * @internal the hook: a request refused before dispatch (load shedding, an endpoint-wide rate
   * limit) gets its record too, with no duration.
   */
  refused(request: McpRequest, error: unknown): void {
    const record = this.recordOf(request, Date.now(), 0, failureOfError(error));
    this.metrics?.record(record);
    this.emit(record);
  }

  private recordOf(
    request: McpRequest,
    startedAt: number,
    durationMs: number,
    failure: Failure | undefined,
    span?: TraceScope,
  ): CallRecord {
    const traceId = span?.traceId;
    return {
      server: request.server,
      method: request.method,
      tool:
        request.method === TOOLS_CALL || request.method === PROMPTS_GET
          ? request.target
          : undefined,
      target: request.target,
      era: request.origin.era,
      transport: request.origin.transport,
      identity: request.origin.identity,
      arguments: request.arguments,
      startedAt,
      durationMs,
      outcome: failure ? 'error' : 'success',
      decision: failure ? failure.decision : 'allowed',
      errorCode: failure?.errorCode,
      correlationId: failure?.correlationId ?? traceId ?? nextCorrelationId(),
      traceId,
    };
  }

  private emit(record: CallRecord): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](record);
      } catch (error) {
        this.logger.warn(
          `A call record listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
