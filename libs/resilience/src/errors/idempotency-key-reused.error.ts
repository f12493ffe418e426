import { ToolError, type ToolErrorOptions } from '@rampart/core';

const BRAND = Symbol.for('rampart.IdempotencyKeyReusedError');

/**
 * A call whose idempotency key was already used with different arguments: code `IDEMPOTENCY_KEY_REUSED`, not retryable.
 *
 * @example
 * ```ts
 * if (isIdempotencyKeyReusedError(e)) console.log(e.message);
 * ```
 */
export class IdempotencyKeyReusedError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super('IDEMPOTENCY_KEY_REUSED', message, { fault: 'caller', ...options });
  }
}

/** Whether `e` is a {@link IdempotencyKeyReusedError}, across copies of the package. */
export const isIdempotencyKeyReusedError = (e: unknown): e is IdempotencyKeyReusedError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
