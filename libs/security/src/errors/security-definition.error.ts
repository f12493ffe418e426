const BRAND = Symbol.for('rampart.SecurityDefinitionError');

/**
 * A security declaration that cannot work: bad `SecurityModule` options at boot, or a bad
 * `@Scopes()` / `@Roles()` / `@Tags()` / `@Risk()` when the class is defined.
 */
export class SecurityDefinitionError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'SecurityDefinitionError';
}

/** Whether `e` is a {@link SecurityDefinitionError}, across copies of the package. */
export const isSecurityDefinitionError = (e: unknown): e is SecurityDefinitionError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
