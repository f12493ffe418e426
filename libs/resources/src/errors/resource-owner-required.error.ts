import { ToolError } from '@rampart/core';
import { OWNER_REQUIRED } from './messages.constant';

const BRAND = Symbol.for('rampart.ResourceOwnerRequiredError');

/**
 * A large result of an anonymous call, with `anonymous: 'refuse'` (the default): there is no
 * owner to bind its link to, so it is not kept. A tool result with `isError`, code
 * `RESOURCE_OWNER_REQUIRED`, a refusal by access control.
 *
 * @example
 * ```ts
 * if (isResourceOwnerRequiredError(e)) askTheUserToSignIn();
 * ```
 */
export class ResourceOwnerRequiredError extends ToolError {
  readonly [BRAND] = true;

  constructor() {
    super('RESOURCE_OWNER_REQUIRED', OWNER_REQUIRED(), {
      refusal: 'denied',
      suggestions: ['Call the tool with credentials (a bearer token or an API key)'],
    });
  }
}

/** Whether `e` is a {@link ResourceOwnerRequiredError}, across copies of the package. */
export const isResourceOwnerRequiredError = (e: unknown): e is ResourceOwnerRequiredError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
