const BRAND = Symbol.for('rampart.AdminHttpProblem');

/**
 * A refusal of an admin HTTP request, answered as JSON `{ error, message, reason? }` with
 * `status` and `headers` by {@link answerAdminProblem}. Thrown by the admin endpoints of the libs
 * (kill switches, approvals) from anywhere in their handling.
 *
 * @example
 * ```ts
 * throw new AdminHttpProblem(409, 'The approval was decided already', {}, 'replayed');
 * ```
 */
export class AdminHttpProblem extends Error {
  readonly [BRAND] = true;
  override readonly name = 'AdminHttpProblem';

  constructor(
    /** The HTTP status answered, 400 to 599. */
    readonly status: number,
    message: string,
    /** Headers added to the answer (`allow`, `retry-after`, `www-authenticate`…). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** A short kebab-case word for why, answered as `reason` when set. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** Whether `e` is an {@link AdminHttpProblem}. */
export const isAdminHttpProblem = (e: unknown): e is AdminHttpProblem =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
