import { ToolError, type ToolErrorOptions } from '@rampart/core';

const BRAND = Symbol.for('rampart.RateLimitedError');

/**
 * A call refused by a rate limit: a tool result with `isError`, code `RATE_LIMITED`, `retryable` and `retryAfterMs`.
 *
 * @example
 * ```ts
 * if (isRateLimitedError(e)) console.log(e.retryAfterMs);
 * ```
 */
export class RateLimitedError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super('RATE_LIMITED', message, { refusal: 'throttled', retryable: true, ...options });
  }
}

/** Whether `e` is a {@link RateLimitedError}, across copies of the package. */
export const isRateLimitedError = (e: unknown): e is RateLimitedError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
