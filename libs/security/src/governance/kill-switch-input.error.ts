import { KILL_SWITCH_FIELD_INVALID } from './kill-switch-messages.constant';

const BRAND = Symbol.for('rampart.KillSwitchInputError');

/**
 * A kill switch that cannot be stored: `field` names the field at fault (`server`, `target`,
 * `reason`, `by` or `at`). Its message names the field and what is expected. The admin endpoints
 * answer it `400`.
 *
 * @example
 * ```ts
 * try { await store.set({ server: '', at: new Date().toISOString() }); }
 * catch (e) { if (isKillSwitchInputError(e)) console.log(e.field); } // 'server'
 * ```
 */
export class KillSwitchInputError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'KillSwitchInputError';

  constructor(
    /** The field at fault. */
    readonly field: string,
    /** What is wrong with it, e.g. `must be a non-empty string`. */
    readonly problem: string,
  ) {
    super(KILL_SWITCH_FIELD_INVALID(field, problem));
  }
}

/** Whether `e` is a {@link KillSwitchInputError}, across copies of the package. */
export const isKillSwitchInputError = (e: unknown): e is KillSwitchInputError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
