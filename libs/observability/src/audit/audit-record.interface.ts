import type { ArgumentsTruncation } from '../redaction/bounded-arguments';

/**
 * One audited request: who, what, when, the decision and the outcome, with redacted arguments.
 * Built from a `CallRecord` by the `AuditTrail` and handed to the {@link AuditSink}; a refusal by
 * access control (`RampartChannel.access`) adds its `reason` and, for a policy, its `policies`.
 * Credentials refused before any request was read get a record of their own (`method`
 * `authentication`, with the client's `address`).
 *
 * @example
 * ```ts
 * const row: AuditRecord = {
 *   at: '2026-05-01T12:00:00.000Z', server: 'web-scrape', method: 'tools/call', target: 'scrape_url',
 *   subject: 'user-42', decision: 'allowed', outcome: 'success', durationMs: 120,
 *   arguments: { url: 'https://example.com', token: '[REDACTED]' }, correlationId: '4bf92f35…',
 *   era: 'modern', transport: 'http',
 * };
 * const refused: AuditRecord = {
 *   at: '2026-05-01T12:00:01.000Z', server: 'web-scrape', method: 'authentication',
 *   decision: 'denied', outcome: 'error', reason: 'bad-signature', address: '203.0.113.9',
 *   durationMs: 0, correlationId: '9c1e…-1f', transport: 'http',
 * };
 * ```
 */
export interface AuditRecord {
  /** When the request started, ISO 8601 (UTC). */
  at: string;
  /** Name of the Rampart server. */
  server: string;
  /**
   * JSON-RPC method, e.g. `tools/call`; for a refusal that came before any JSON-RPC request was
   * read, its stage: `authentication` (credentials missing or refused) or `authorization` (an
   * endpoint outside MCP, such as an admin or operational one, denied).
   */
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
  /**
   * Why access control refused the request, in the words of the lib that decided
   * (`@rampart/security`: `bad-signature`, `expired`, `missing`… for credentials;
   * `insufficient-scope`, `role`, `killed`, `policy`… for calls). Absent when it was not refused
   * by access control.
   */
  reason?: string;
  /** Ids of the policies that decided a `policy` denial. */
  policies?: string[];
  /** The client's network address, for credentials refused (`method` `authentication`). */
  address?: string;
  /** Duration, in milliseconds. */
  durationMs: number;
  /**
   * Arguments after redaction, within `maxArgumentsChars` of JSON; absent when the method has
   * none or `arguments: false`.
   */
  arguments?: Record<string, unknown>;
  /**
   * Present when the arguments were longer than `maxArgumentsChars`: their full JSON length, and
   * how many properties were left out or cut.
   */
  argumentsTruncated?: ArgumentsTruncation;
  /** Correlation id shared with the logs and the error body. */
  correlationId: string;
  /** Trace id, when traced. */
  traceId?: string;
  /** Protocol era; absent for a refusal that came before the request was read. */
  era?: 'modern' | 'legacy';
  /**
   * For an approval event (`method` `approval/<outcome>`): the approval, the task that waits for
   * it and the caller whose call it is (`subject` is who acted).
   */
  approval?: { id?: string; taskId?: string; caller?: string };
  /** Transport; absent when the refusal does not say (an access event never matched to a request). */
  transport?: 'http' | 'stdio' | 'memory';
}
