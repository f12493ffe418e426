import { ToolError, type ToolErrorOptions } from '@rampart/core';

/** The brand of `@rampart/resilience`'s `IdempotencyKeyReusedError`: its guard knows this one too. */
const BRAND = Symbol.for('rampart.IdempotencyKeyReusedError');

/**
 * A task tool called with an idempotency key that the same caller already used for a task of
 * that tool with different arguments: code `IDEMPOTENCY_KEY_REUSED`, a caller fault, not
 * retryable. The client gets it as the call's tool error.
 *
 * @example
 * ```ts
 * if (isTaskIdempotencyKeyReusedError(e)) console.log(e.code); // IDEMPOTENCY_KEY_REUSED
 * ```
 */
export class TaskIdempotencyKeyReusedError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super('IDEMPOTENCY_KEY_REUSED', message, { fault: 'caller', ...options });
  }
}

/** Whether `e` is a {@link TaskIdempotencyKeyReusedError} (or resilience's error of that code). */
export const isTaskIdempotencyKeyReusedError = (e: unknown): e is TaskIdempotencyKeyReusedError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
