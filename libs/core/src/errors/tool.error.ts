import { IntrinsicException } from '@nestjs/common';

const BRAND = Symbol.for('rampart.ToolError');

/**
 * Who caused a tool's failure, for the policies that judge an upstream's health (retries,
 * circuit breakers): `caller`, the call's own input, refused before any upstream I/O (a URL the
 * HTTP client rejects, a value out of range); `upstream`, the service the tool calls.
 */
export type ToolErrorFault = 'caller' | 'upstream';

/**
 * Which control refused a call before it ran, for the libraries that record outcomes (metrics,
 * audit): `denied` by access control (authentication, scopes, policy), `throttled` by a
 * protection of the server or its upstreams (a rate limit, overload, an open circuit, a spent
 * error budget). Each library sets it on the errors it raises, so that none needs another's
 * list of codes.
 */
export type ToolErrorRefusal = 'denied' | 'throttled';

/** Options of a {@link ToolError}. */
export interface ToolErrorOptions {
  /** Whether the same call may succeed if tried again. @default false (always false for a caller fault) */
  retryable?: boolean;
  /**
   * Whose fault the failure is. A `caller` fault is never retried and never counts against a
   * circuit breaker (so one caller's bad input cannot open a breaker for every caller); it is
   * never `retryable`. An `upstream` fault counts against circuit breakers even when it is not
   * `retryable`. Not sent to the client.
   * @default undefined: judged by `retryable` (retryable errors count, others do not)
   */
  fault?: ToolErrorFault;
  /** Which control refused the call before it ran, if one did. Not sent to the client. */
  refusal?: ToolErrorRefusal;
  /** When to try again, in milliseconds. */
  retryAfterMs?: number;
  /** What the model or user can do about it. */
  suggestions?: string[];
  /** Machine-readable details safe to show the client. */
  details?: Record<string, unknown>;
  /** The underlying error, logged but never sent. */
  cause?: unknown;
}

/**
 * A tool's failure, answered as a tool result with `isError: true` and a structured body
 * `{ code, message, retryable, retryAfterMs?, suggestions?, details? }`.
 *
 * @example
 * throw new ToolError('NOT_FOUND', `No page ${id}`, { suggestions: ['List pages first'] });
 * throw new ToolError('INVALID_URL', 'URLs with credentials are not fetched', { fault: 'caller' });
 *
 * An expected outcome, not a fault: like Nest's `HttpException` it is an `IntrinsicException`,
 * which Nest's exception handler does not log as an error.
 */
export class ToolError extends IntrinsicException {
  readonly [BRAND] = true;
  override readonly name = 'ToolError';
  readonly retryable: boolean;
  /** Whose fault the failure is, when the thrower said so. */
  readonly fault?: ToolErrorFault;
  /** Which control refused the call, when one did. */
  readonly refusal?: ToolErrorRefusal;
  readonly retryAfterMs?: number;
  readonly suggestions?: string[];
  readonly details?: Record<string, unknown>;

  constructor(
    /** Stable upper-case code, e.g. `INVALID_ARGUMENTS`, `RATE_LIMITED`, `NETWORK_ERROR`. */
    readonly code: string,
    message: string,
    options: ToolErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.fault = options.fault;
    this.refusal = options.refusal;
    this.retryable = options.fault !== 'caller' && (options.retryable ?? false);
    this.retryAfterMs = options.retryAfterMs;
    this.suggestions = options.suggestions;
    this.details = options.details;
  }

  /** The structured body sent to the client. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined && { retryAfterMs: this.retryAfterMs }),
      ...(this.suggestions && { suggestions: this.suggestions }),
      ...(this.details && { details: this.details }),
    };
  }
}

/** Whether `e` is a {@link ToolError}, across copies of the package. */
export const isToolError = (e: unknown): e is ToolError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
