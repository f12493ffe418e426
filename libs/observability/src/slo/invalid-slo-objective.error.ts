const BRAND = Symbol.for('rampart.InvalidSloObjectiveError');

/**
 * Thrown when an SLO objective cannot work (a success target outside (0, 1), a negative
 * threshold...), when the class is defined (`@Slo()`) or at boot (module options).
 *
 * @example
 * ```ts
 * @Slo({ success: 99.5 }) // throws InvalidSloObjectiveError: "success" must be in (0, 1)
 * ```
 */
export class InvalidSloObjectiveError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'InvalidSloObjectiveError';
}

/** Whether `e` is an {@link InvalidSloObjectiveError}, across copies of the package. */
export const isInvalidSloObjectiveError = (e: unknown): e is InvalidSloObjectiveError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
