const BRAND = Symbol.for('rampart.TokensError');

/**
 * `rampart-tokens` could not do its work: bad arguments, a missing or invalid budget file, an app
 * that cannot be loaded or booted, a server the file names that the app does not have, the
 * tokenizer not installed. Not a failed check: the command exits with code 2.
 *
 * @example
 * ```ts
 * try {
 *   await loadAppTokens('dist/app.module.js#AppModule');
 * } catch (error) {
 *   if (isTokensError(error)) console.error(error.message);
 * }
 * ```
 */
export class TokensError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'TokensError';
}

/** Whether `e` is a {@link TokensError}, across copies of the package. */
export const isTokensError = (e: unknown): e is TokensError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
