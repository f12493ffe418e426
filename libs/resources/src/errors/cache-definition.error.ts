const BRAND = Symbol.for('rampart.CacheDefinitionError');

/**
 * A `@Cacheable()`, `@CacheEvict()` or `ResultCacheModule` option that cannot work: thrown when
 * the class is defined (bad decorator options) or when the app boots (a cached tool that is not
 * read-only, an eviction of a tool the server does not have, bad module options).
 *
 * @example
 * ```ts
 * try { await app.init(); } catch (e) { if (isCacheDefinitionError(e)) console.error(e.message); }
 * ```
 */
export class CacheDefinitionError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'CacheDefinitionError';
}

/** Whether `e` is a {@link CacheDefinitionError}, across copies of the package. */
export const isCacheDefinitionError = (e: unknown): e is CacheDefinitionError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
