const BRAND = Symbol.for('rampart.SessionRestoreError');

/**
 * A replica could not rebuild the SDK server of a 2025-11-25 session it did not open (from the
 * session's record in the shared store). The request is answered `500`; the message names the
 * session and what the SDK answered.
 *
 * @example
 * ```ts
 * if (isSessionRestoreError(error)) logger.error(error.message);
 * ```
 */
export class SessionRestoreError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'SessionRestoreError';
}

/** Whether `e` is a {@link SessionRestoreError}, across copies of the package. */
export const isSessionRestoreError = (e: unknown): e is SessionRestoreError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
