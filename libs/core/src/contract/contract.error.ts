const BRAND = Symbol.for('rampart.ContractError');

/**
 * `rampart-contract` could not do its work: bad arguments, an app that cannot be loaded or
 * booted, a contract file that cannot be read. Not a failed check: the command exits with code 2.
 *
 * @example
 * ```ts
 * try {
 *   await loadAppContract('dist/app.module.js#AppModule');
 * } catch (error) {
 *   if (isContractError(error)) console.error(error.message);
 * }
 * ```
 */
export class ContractError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ContractError';
}

/** Whether `e` is a {@link ContractError}, across copies of the package. */
export const isContractError = (e: unknown): e is ContractError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
