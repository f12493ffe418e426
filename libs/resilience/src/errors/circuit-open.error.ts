import { ToolError, type ToolErrorOptions } from '@rampart/core';

const BRAND = Symbol.for('rampart.CircuitOpenError');

/**
 * A call refused because the tool's circuit breaker is open: code `CIRCUIT_OPEN`, with `retryAfterMs` until the next probe.
 *
 * @example
 * ```ts
 * if (isCircuitOpenError(e)) console.log(e.retryAfterMs);
 * ```
 */
export class CircuitOpenError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, options: ToolErrorOptions = {}) {
    super('CIRCUIT_OPEN', message, { refusal: 'throttled', retryable: true, ...options });
  }
}

/** Whether `e` is a {@link CircuitOpenError}, across copies of the package. */
export const isCircuitOpenError = (e: unknown): e is CircuitOpenError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
