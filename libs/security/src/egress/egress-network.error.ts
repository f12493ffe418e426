import { ToolError } from '@rampart/core';

const BRAND = Symbol.for('rampart.EgressNetworkError');

/**
 * A network failure after the target was checked and allowed: the connection refused, reset or
 * closed early, a TLS failure: code `NETWORK_ERROR`, with the low-level error as `cause` (logged,
 * never sent).
 *
 * The upstream's fault: retryable, and counted by circuit breakers.
 *
 * @example
 * ```ts
 * @Retry({ attempts: 3, backoff: 'exponential', on: [EgressNetworkError, EgressTimeoutError] })
 * ```
 */
export class EgressNetworkError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, cause: unknown) {
    super('NETWORK_ERROR', message, {
      fault: 'upstream',
      retryable: true,
      suggestions: ['Try again later'],
      cause,
    });
  }
}

/** Whether `e` is an {@link EgressNetworkError}, across copies of the package. */
export const isEgressNetworkError = (e: unknown): e is EgressNetworkError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
