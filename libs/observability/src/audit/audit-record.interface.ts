/**
 * One audited request: who, what, when, the decision and the outcome, with redacted arguments.
 * Built from a `CallRecord` by the `AuditTrail` and handed to the {@link AuditSink}.
 *
 * @example
 * ```ts
 * const row: AuditRecord = {
 *   at: '2026-05-01T12:00:00.000Z', server: 'web-scrape', method: 'tools/call', target: 'scrape_url',
 *   subject: 'user-42', decision: 'allowed', outcome: 'success', durationMs: 120,
 *   arguments: { url: 'https://example.com', token: '[REDACTED]' }, correlationId: '4bf92f35…',
 *   era: 'modern', transport: 'http',
 * };
 * ```
 */
export interface AuditRecord {
  /** When the request started, ISO 8601 (UTC). */
  at: string;
  /** Name of the Rampart server. */
  server: string;
  /** JSON-RPC method, e.g. `tools/call`. */
  method: string;
  /** Tool or prompt name, or resource URI. */
  target?: string;
  /** `identity.subject` of the caller; absent when unauthenticated (stdio, no auth). */
  subject?: string;
  /** `identity.tenant` of the caller. */
  tenant?: string;
  /** `allowed`, `denied`, `rate-limited` or `failed` (refused before running). */
  decision: 'allowed' | 'denied' | 'rate-limited' | 'failed';
  /** `success`, or `error` for an error result or a JSON-RPC error. */
  outcome: 'success' | 'error';
  /** Structured error code (`FORBIDDEN`, `RATE_LIMITED`, `NETWORK_ERROR`…) or JSON-RPC code. */
  errorCode?: string;
  /** Duration, in milliseconds. */
  durationMs: number;
  /** Arguments after redaction; absent when the method has none or `arguments: false`. */
  arguments?: Record<string, unknown>;
  /** Correlation id shared with the logs and the error body. */
  correlationId: string;
  /** Trace id, when traced. */
  traceId?: string;
  /** Protocol era. */
  era: 'modern' | 'legacy';
  /** Transport. */
  transport: 'http' | 'stdio' | 'memory';
}
