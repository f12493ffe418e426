const BRAND = Symbol.for('rampart.ResilienceDefinitionError');

/**
 * A resilience decorator or module option that cannot work: thrown when the class is defined
 * (bad decorator options) or when the app boots (`@Retry()` on a non-idempotent tool, bad module
 * options).
 *
 * @example
 * ```ts
 * try { await app.init(); } catch (e) { if (isResilienceDefinitionError(e)) console.error(e.message); }
 * ```
 */
export class ResilienceDefinitionError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ResilienceDefinitionError';
}

/** Whether `e` is a {@link ResilienceDefinitionError}. */
export const isResilienceDefinitionError = (e: unknown): e is ResilienceDefinitionError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
