const BRAND = Symbol.for('rampart.PolicyLoadError');

/**
 * Cedar policies that cannot be loaded: a file that cannot be read, a policy that does not
 * parse, a policy template, or two policies with the same id. `PolicyEngine.load()` throws it at
 * boot; `PolicyEngine.reload()` returns it and keeps the policies it had.
 *
 * @example
 * ```ts
 * try {
 *   engine.load();
 * } catch (e) {
 *   if (isPolicyLoadError(e)) console.error(`${e.source}: ${e.message}`);
 *   throw e;
 * }
 * ```
 */
export class PolicyLoadError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'PolicyLoadError';

  constructor(
    message: string,
    /** The policy file at fault (its path as configured), or `inline policies`. */
    readonly source: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Whether `e` is a {@link PolicyLoadError}, across copies of the package. */
export const isPolicyLoadError = (e: unknown): e is PolicyLoadError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
