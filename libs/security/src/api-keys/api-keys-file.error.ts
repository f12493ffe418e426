const BRAND = Symbol.for('rampart.ApiKeysFileError');

/**
 * An API keys file (`loadApiKeysFile()`) that cannot be used: unreadable, not JSON, not an array,
 * or a record at fault. The message names the file, the record's index and the field; it never
 * repeats a value from the file.
 *
 * @example
 * ```ts
 * try { await loadApiKeysFile('keys.json'); }
 * catch (e) { if (isApiKeysFileError(e)) console.error(e.message); }
 * // API keys file keys.json: record 2: "hash" must be "sha256:" followed by 64 lower-case hex digits
 * ```
 */
export class ApiKeysFileError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ApiKeysFileError';

  constructor(
    message: string,
    /** The file's path, as given. */
    readonly file: string,
    /** Index of the record at fault in the file's array, when one is. */
    readonly index?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** Whether `e` is an {@link ApiKeysFileError}, across copies of the package. */
export const isApiKeysFileError = (e: unknown): e is ApiKeysFileError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
