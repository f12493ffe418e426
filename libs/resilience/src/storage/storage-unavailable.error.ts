const BRAND = Symbol.for('rampart.StorageUnavailableError');

/**
 * A Redis-backed resilience storage could not answer. Internal: the guard and interceptor turn
 * it into a fallback or a retryable refusal; it never reaches the client.
 *
 * @example
 * ```ts
 * try { await storage.claim(key, fp, ttlMs); } catch (e) { if (isStorageUnavailableError(e)) useMemory(); }
 * ```
 */
export class StorageUnavailableError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'StorageUnavailableError';

  constructor(reason: string, cause?: unknown) {
    super(`Resilience storage unavailable: ${reason}`, cause === undefined ? undefined : { cause });
  }
}

/** Whether `e` is a {@link StorageUnavailableError}. */
export const isStorageUnavailableError = (e: unknown): e is StorageUnavailableError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
