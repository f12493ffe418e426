import { IntrinsicException } from '@nestjs/common';

const BRAND = Symbol.for('rampart.ToolError');

/** Options of a {@link ToolError}. */
export interface ToolErrorOptions {
  /** Whether the same call may succeed if tried again. @default false */
  retryable?: boolean;
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
 *
 * An expected outcome, not a fault: like Nest's `HttpException` it is an `IntrinsicException`,
 * which Nest's exception handler does not log as an error.
 */
export class ToolError extends IntrinsicException {
  readonly [BRAND] = true;
  override readonly name = 'ToolError';
  readonly retryable: boolean;
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
    this.retryable = options.retryable ?? false;
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
