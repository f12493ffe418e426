import { ToolError, type ToolErrorOptions } from '@rampart/core';

const BRAND = Symbol.for('rampart.InvalidIdempotencyKeyError');

/**
 * A call whose idempotency key is longer than `MAX_IDEMPOTENCY_KEY_CHARS` (255 characters): code
 * `INVALID_IDEMPOTENCY_KEY`, not retryable, the caller's fault.
 *
 * @example
 * ```ts
 * if (isInvalidIdempotencyKeyError(e)) console.log(e.message);
 * ```
 */
export class InvalidIdempotencyKeyError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super('INVALID_IDEMPOTENCY_KEY', message, { fault: 'caller', ...options });
  }
}

/** Whether `e` is an {@link InvalidIdempotencyKeyError}, across copies of the package. */
export const isInvalidIdempotencyKeyError = (e: unknown): e is InvalidIdempotencyKeyError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
