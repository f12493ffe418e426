import { ToolError } from '@rampart/core';

const BRAND = Symbol.for('rampart.EgressUrlError');

/**
 * A URL the `SafeFetcher` will not use, for what the URL says alone: code `INVALID_URL` (not an
 * absolute URL, a scheme other than http and https, credentials in it). The message says which;
 * it never repeats the credentials.
 *
 * The caller's fault: never retried, never counted by a circuit breaker.
 *
 * @example
 * ```ts
 * await fetcher.get('ftp://example.com/'); // EgressUrlError: Only http and https URLs are fetched, not ftp:.
 * ```
 */
export class EgressUrlError extends ToolError {
  readonly [BRAND] = true;

  constructor(message: string) {
    super('INVALID_URL', message, {
      fault: 'caller',
      suggestions: ['Give an absolute http(s) URL without credentials'],
    });
  }
}

/** Whether `e` is an {@link EgressUrlError}, across copies of the package. */
export const isEgressUrlError = (e: unknown): e is EgressUrlError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
