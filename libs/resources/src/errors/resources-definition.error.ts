const BRAND = Symbol.for('rampart.ResourcesDefinitionError');

/**
 * A `ResourcesModule` option or an `@Offload()` that cannot work: thrown when the class is
 * defined (bad decorator options) or when the app boots (bad module options).
 *
 * @example
 * ```ts
 * try { await app.init(); } catch (e) { if (isResourcesDefinitionError(e)) console.error(e.message); }
 * ```
 */
export class ResourcesDefinitionError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ResourcesDefinitionError';
}

/** Whether `e` is a {@link ResourcesDefinitionError}, across copies of the package. */
export const isResourcesDefinitionError = (e: unknown): e is ResourcesDefinitionError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
