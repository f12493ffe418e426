import { ToolError } from '@rampart/core';
import { STORE_UNAVAILABLE } from './messages.constant';

const BRAND = Symbol.for('rampart.ResourceStoreUnavailableError');

/**
 * The resource store could not answer (Redis down, or no answer within the command timeout). An
 * outage: a tool that offloads answers it as a retryable tool error, code
 * `RESOURCE_STORE_UNAVAILABLE`; a `resources/read` of a valid link answers an internal error.
 *
 * @example
 * ```ts
 * try { await store.put(input); } catch (e) { if (isResourceStoreUnavailableError(e)) retryLater(); }
 * ```
 */
export class ResourceStoreUnavailableError extends ToolError {
  readonly [BRAND] = true;

  constructor(problem: string, cause?: unknown) {
    super('RESOURCE_STORE_UNAVAILABLE', STORE_UNAVAILABLE(problem), {
      retryable: true,
      retryAfterMs: 1_000,
      cause,
    });
  }
}

/** Whether `e` is a {@link ResourceStoreUnavailableError}, across copies of the package. */
export const isResourceStoreUnavailableError = (e: unknown): e is ResourceStoreUnavailableError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
