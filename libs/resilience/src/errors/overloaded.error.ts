import { ToolError, type ToolErrorOptions } from '@rampart/core';

const BRAND = Symbol.for('rampart.OverloadedError');

/**
 * A call refused because the tool's bulkhead (running calls and queue) is full: code `OVERLOADED`.
 *
 * @example
 * ```ts
 * if (isOverloadedError(e)) console.log(e.retryAfterMs);
 * ```
 */
export class OverloadedError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super('OVERLOADED', message, { refusal: 'throttled', retryable: true, ...options });
  }
}

/** Whether `e` is a {@link OverloadedError}, across copies of the package. */
export const isOverloadedError = (e: unknown): e is OverloadedError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
