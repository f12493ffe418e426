const BRAND = Symbol.for('rampart.web-scrape.InvalidSettingError');

/**
 * A setting of the web-scrape app (an environment variable, or a port it cannot listen on) that
 * stops it from starting. Its message is one line, for the terminal: what is wrong and what to do.
 *
 * @example
 * ```ts
 * try {
 *   readSettings(process.env);
 * } catch (e) {
 *   if (isInvalidSettingError(e)) console.error(`web-scrape: ${e.message}`);
 * }
 * ```
 */
export class InvalidSettingError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'InvalidSettingError';

  constructor(
    /** The environment variable at fault, e.g. `PORT`. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether `error` is an {@link InvalidSettingError}. */
export const isInvalidSettingError = (error: unknown): error is InvalidSettingError =>
  typeof error === 'object' && error !== null && BRAND in error;
