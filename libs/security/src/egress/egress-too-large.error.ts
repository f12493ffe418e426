import { ToolError } from '@rampart/core';
import { TOO_LARGE } from './egress-messages.constant';

const BRAND = Symbol.for('rampart.EgressTooLargeError');

/**
 * A response body larger than `maxBodyBytes` (declared by `Content-Length`, or counted while it
 * streamed, after decompression): code `TOO_LARGE`. The fetcher stopped reading and closed the
 * connection.
 *
 * The caller's fault (it asked for that URL): never retried, never counted by a circuit breaker.
 *
 * @example
 * ```ts
 * if (isEgressTooLargeError(e)) console.log(e.details); // { maxBodyBytes: 5242880 }
 * ```
 */
export class EgressTooLargeError extends ToolError {
  readonly [BRAND] = true;

  constructor(maxBodyBytes: number) {
    super('TOO_LARGE', TOO_LARGE(maxBodyBytes), {
      fault: 'caller',
      details: { maxBodyBytes },
    });
  }
}

/** Whether `e` is an {@link EgressTooLargeError}, across copies of the package. */
export const isEgressTooLargeError = (e: unknown): e is EgressTooLargeError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
