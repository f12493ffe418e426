import { ToolError } from '@rampart/core';
import { RESOURCE_TOO_LARGE } from './messages.constant';

const BRAND = Symbol.for('rampart.ResourceTooLargeError');

/**
 * A result larger than the store keeps for one entry (`maxEntryBytes`): a tool result with
 * `isError`, code `RESOURCE_TOO_LARGE`, not retryable (the same call makes the same result).
 *
 * @example
 * ```ts
 * if (isResourceTooLargeError(e)) console.log(e.sizeBytes, e.maxEntryBytes);
 * ```
 */
export class ResourceTooLargeError extends ToolError {
  readonly [BRAND] = true;

  constructor(
    readonly sizeBytes: number,
    readonly maxEntryBytes: number,
  ) {
    super('RESOURCE_TOO_LARGE', RESOURCE_TOO_LARGE(sizeBytes, maxEntryBytes), {
      retryable: false,
      suggestions: ['Ask for a smaller part of the data (a narrower query, a page range)'],
      details: { sizeBytes, maxEntryBytes },
    });
  }
}

/** Whether `e` is a {@link ResourceTooLargeError}, across copies of the package. */
export const isResourceTooLargeError = (e: unknown): e is ResourceTooLargeError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
