import { IntrinsicException } from '@nestjs/common';

const BRAND = Symbol.for('rampart.McpProtocolError');

/** JSON-RPC error codes used by MCP. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /**
   * JSON-RPC's implementation-defined server error, which the SDK's HTTP entry answers refusals of
   * the HTTP request itself with: a method other than POST on 2026-07-28 (`405`), a body that is
   * not `application/json` (`415`).
   */
  ServerError: -32000,
  /** Resource not found: sent as `-32602` on the wire since 2026-07-28. */
  ResourceNotFound: -32602,
  /** The session named by `Mcp-Session-Id` does not exist. */
  SessionNotFound: -32001,
  /** An `input_required` result asks for something the request's client capabilities lack. */
  MissingRequiredClientCapability: -32021,
  /** The request's protocol version is not served (2026-07-28). */
  UnsupportedProtocolVersion: -32022,
} as const;

/**
 * A protocol fault, answered as a JSON-RPC error (not as a tool result).
 *
 * @example
 * throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, 'Unknown prompt: greet');
 *
 * An `IntrinsicException`, so Nest's exception handler does not log it as an error.
 */
export class McpProtocolError extends IntrinsicException {
  readonly [BRAND] = true;
  override readonly name = 'McpProtocolError';

  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    /** HTTP status to answer with on the Streamable HTTP transport. */
    readonly httpStatus = 200,
    /** When to try again, in milliseconds: a `Retry-After` header on the HTTP transport. */
    readonly retryAfterMs?: number,
    /**
     * More response headers on the HTTP transport, e.g. the `WWW-Authenticate` challenge of a
     * `401`. Lower-case names.
     */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** Whether `e` is a {@link McpProtocolError}, across copies of the package. */
export const isMcpProtocolError = (e: unknown): e is McpProtocolError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
