import { API_KEY_STORE_UNAVAILABLE } from './api-key-messages.constant';

const BRAND = Symbol.for('rampart.ApiKeyStoreUnavailableError');

/**
 * The API key store could not answer (Redis down, or no answer within the command timeout). An
 * outage, not a refusal: authentication answers it as a `503`-class error, never as a bad key.
 *
 * @example
 * ```ts
 * try { await apiKeys.verify(presented); }
 * catch (e) { if (isApiKeyStoreUnavailableError(e)) answer503(); else throw e; }
 * ```
 */
export class ApiKeyStoreUnavailableError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ApiKeyStoreUnavailableError';

  constructor(problem: string, cause?: unknown) {
    super(API_KEY_STORE_UNAVAILABLE(problem), cause === undefined ? undefined : { cause });
  }
}

/** Whether `e` is an {@link ApiKeyStoreUnavailableError}, across copies of the package. */
export const isApiKeyStoreUnavailableError = (e: unknown): e is ApiKeyStoreUnavailableError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
