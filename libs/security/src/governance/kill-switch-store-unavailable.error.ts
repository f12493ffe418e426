import { KILL_SWITCH_STORE_UNAVAILABLE } from './kill-switch-messages.constant';

const BRAND = Symbol.for('rampart.KillSwitchStoreUnavailableError');

/**
 * The kill switch store could not make a change (Redis down, or no answer within the command
 * timeout). Only `set()` and `clear()` fail this way: `list()` keeps serving the last switches it
 * knew. The admin endpoints answer it `503` with `Retry-After`.
 *
 * @example
 * ```ts
 * try { await store.set({ server: 'web', at: new Date().toISOString() }); }
 * catch (e) { if (isKillSwitchStoreUnavailableError(e)) retryLater(); else throw e; }
 * ```
 */
export class KillSwitchStoreUnavailableError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'KillSwitchStoreUnavailableError';

  constructor(problem: string, cause?: unknown) {
    super(KILL_SWITCH_STORE_UNAVAILABLE(problem), cause === undefined ? undefined : { cause });
  }
}

/** Whether `e` is a {@link KillSwitchStoreUnavailableError}, across copies of the package. */
export const isKillSwitchStoreUnavailableError = (
  e: unknown,
): e is KillSwitchStoreUnavailableError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
