import { ToolError, type ToolErrorOptions } from '@rampart/core';

const BRAND = Symbol.for('rampart.CallTimeoutError');

/**
 * A call that ran past its `@Timeout()` (one attempt or the whole call): code `TIMEOUT`, retryable.
 *
 * @example
 * ```ts
 * if (isCallTimeoutError(e)) console.log(e.details?.timeoutMs);
 * ```
 */
export class CallTimeoutError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super('TIMEOUT', message, { retryable: true, ...options });
  }
}

/** Whether `e` is a {@link CallTimeoutError}, across copies of the package. */
export const isCallTimeoutError = (e: unknown): e is CallTimeoutError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
