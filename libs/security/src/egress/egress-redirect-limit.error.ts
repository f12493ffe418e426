import { ToolError } from '@rampart/core';
import { TOO_MANY_REDIRECTS } from './egress-messages.constant';

const BRAND = Symbol.for('rampart.EgressRedirectLimitError');

/**
 * A URL that redirected more than `maxRedirects` times (a loop, or a chain longer than the
 * fetcher follows): code `TOO_MANY_REDIRECTS`.
 *
 * The caller's fault, as the same URL would redirect the same way again: never retried, never
 * counted by a circuit breaker.
 *
 * @example
 * ```ts
 * if (isEgressRedirectLimitError(e)) console.log(e.details); // { maxRedirects: 5 }
 * ```
 */
export class EgressRedirectLimitError extends ToolError {
  readonly [BRAND] = true;

  constructor(maxRedirects: number) {
    super('TOO_MANY_REDIRECTS', TOO_MANY_REDIRECTS(maxRedirects), {
      fault: 'caller',
      details: { maxRedirects },
    });
  }
}

/** Whether `e` is an {@link EgressRedirectLimitError}, across copies of the package. */
export const isEgressRedirectLimitError = (e: unknown): e is EgressRedirectLimitError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
