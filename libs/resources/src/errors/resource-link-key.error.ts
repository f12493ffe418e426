const BRAND = Symbol.for('rampart.ResourceLinkKeyError');

/**
 * A signing key of `ResourcesModule` `keys` that cannot sign links safely: a secret shorter than
 * 32 bytes, a missing or repeated key id. Thrown at boot; the message names the key id, never the
 * secret.
 *
 * @example
 * ```ts
 * try { await app.init(); } catch (e) { if (isResourceLinkKeyError(e)) console.error(e.message); }
 * ```
 */
export class ResourceLinkKeyError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'ResourceLinkKeyError';
}

/** Whether `e` is a {@link ResourceLinkKeyError}, across copies of the package. */
export const isResourceLinkKeyError = (e: unknown): e is ResourceLinkKeyError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
