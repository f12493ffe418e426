import type { McpIdentity } from '@rampart/core';

/**
 * Why a request ended as it did:
 * - `allowed`: the method ran (successfully or with a tool error);
 * - `denied`: refused by access control (a `ToolError` with `refusal: 'denied'`; a 401/403 at admission);
 * - `rate-limited`: refused to protect the server or an upstream (`refusal: 'throttled'`; a 429/503 at admission);
 * - `failed`: the caller's own fault (`fault: 'caller'`: invalid arguments), an unknown tool, a protocol error.
 */
export type CallDecision = 'allowed' | 'denied' | 'rate-limited' | 'failed';

/**
 * One JSON-RPC request to a Rampart server, recorded when it ends; {@link CallRecorder} hands it
 * to every listener.
 *
 * @example
 * ```ts
 * recorder.subscribe((record: CallRecord) => {
 *   if (record.outcome === 'error') console.warn(record.tool, record.errorCode, record.correlationId);
 * });
 * ```
 */
export interface CallRecord {
  /** Name of the Rampart server. */
  server: string;
  /** JSON-RPC method: `tools/call`, `resources/read`, … */
  method: string;
  /** `tools/call`: the tool name; `prompts/get`: the prompt name; otherwise undefined. */
  tool?: string;
  /** Name or URI as requested. */
  target?: string;
  /** Protocol era of the call. */
  era: 'modern' | 'legacy';
  /** How the call reached the server. */
  transport: 'http' | 'stdio' | 'memory';
  /** Who called, when known. */
  identity?: McpIdentity;
  /** RAW arguments, exactly as sent: redact them with the `Redactor` before storing or logging. */
  arguments?: Readonly<Record<string, unknown>>;
  /** When the request started, epoch milliseconds. */
  startedAt: number;
  /** How long it took, in milliseconds. */
  durationMs: number;
  /** `error` for a tool error result or a JSON-RPC error. */
  outcome: 'success' | 'error';
  /** See {@link CallDecision}. */
  decision: CallDecision;
  /** The structured `code` of an `isError` result, or the JSON-RPC error code as a string. */
  errorCode?: string;
  /** `details.correlationId` of an `INTERNAL_ERROR`, else the trace id when traced, else a fresh id. */
  correlationId: string;
  /** Trace id of the request's span, when a tracer recorded or propagated one. */
  traceId?: string;
}

/** A consumer of {@link CallRecord}s; called synchronously when a request ends. */
export type CallRecordListener = (record: CallRecord) => void;
