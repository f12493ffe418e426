const BRAND = Symbol.for('rampart.UnsupportedNestError');

/**
 * The installed `@nestjs/core` no longer has what Rampart relies on where Nest offers no public
 * way (see `pipeline/nest-adapter.ts`). Thrown at boot, naming the installed version.
 */
export class UnsupportedNestError extends Error {
  readonly [BRAND] = true;
  override readonly name: string = 'UnsupportedNestError';
}

/** Whether `e` is an {@link UnsupportedNestError}. */
export const isUnsupportedNestError = (e: unknown): e is UnsupportedNestError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
