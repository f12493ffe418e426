import { API_KEY_FIELD_INVALID } from './api-key-messages.constant';

const BRAND = Symbol.for('rampart.ApiKeyInputError');

/**
 * Input to `ApiKeys.issue()` (or the admin API's body) that cannot make a key: `field` names the
 * field at fault (`body` when the input is not an object). Its message names the field and what
 * is expected, never the value given.
 *
 * @example
 * ```ts
 * try { await apiKeys.issue({ subject: '' }); }
 * catch (e) { if (isApiKeyInputError(e)) console.log(e.field); } // 'subject'
 * ```
 */
export class ApiKeyInputError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ApiKeyInputError';

  constructor(
    /** The field at fault. */
    readonly field: string,
    /** What is wrong with it, e.g. `must be a non-empty string`. */
    readonly problem: string,
  ) {
    super(API_KEY_FIELD_INVALID(field, problem));
  }
}

/** Whether `e` is an {@link ApiKeyInputError}, across copies of the package. */
export const isApiKeyInputError = (e: unknown): e is ApiKeyInputError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
