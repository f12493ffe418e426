import { ToolError } from '@rampart/core';
import { UNSUPPORTED_CONTENT } from './egress-messages.constant';

const BRAND = Symbol.for('rampart.EgressContentTypeError');

/**
 * A successful response whose media type is not in the fetcher's `contentTypes` (an image, a
 * PDF, an archive, or no `Content-Type` at all): code `UNSUPPORTED_CONTENT`. Its body was not read.
 *
 * The caller's fault: never retried, never counted by a circuit breaker.
 *
 * @example
 * ```ts
 * if (isEgressContentTypeError(e)) console.log(e.details); // { contentType: 'image/png' }
 * ```
 */
export class EgressContentTypeError extends ToolError {
  readonly [BRAND] = true;

  constructor(mediaType: string, allowed: readonly string[]) {
    super('UNSUPPORTED_CONTENT', UNSUPPORTED_CONTENT(mediaType, allowed), {
      fault: 'caller',
      details: { contentType: mediaType },
    });
  }
}

/** Whether `e` is an {@link EgressContentTypeError}, across copies of the package. */
export const isEgressContentTypeError = (e: unknown): e is EgressContentTypeError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
