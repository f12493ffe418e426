import { ToolError } from '@rampart/core';

const BRAND = Symbol.for('rampart.EgressTimeoutError');

/**
 * An allowed upstream too slow for the fetcher's limits: the connection not made within
 * `connectTimeoutMs`, or the whole fetch (redirects and body included) not done within
 * `totalTimeoutMs`: code `TIMEOUT`. A fetch aborted by the caller's own signal rejects with that
 * signal's reason instead.
 *
 * The upstream's fault: retryable, and counted by circuit breakers.
 *
 * @example
 * ```ts
 * if (isEgressTimeoutError(e)) console.log(e.retryable); // true
 * ```
 */
export class EgressTimeoutError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string, cause?: unknown) {
    super('TIMEOUT', message, {
      fault: 'upstream',
      retryable: true,
      suggestions: ['Try again later'],
      cause,
    });
  }
}

/** Whether `e` is an {@link EgressTimeoutError}, across copies of the package. */
export const isEgressTimeoutError = (e: unknown): e is EgressTimeoutError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
