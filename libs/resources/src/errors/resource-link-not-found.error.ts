import { JsonRpcErrorCode, McpProtocolError } from '@rampart/core';
import { RESOURCE_NOT_FOUND } from './messages.constant';

const BRAND = Symbol.for('rampart.ResourceLinkNotFoundError');

/**
 * The one answer to a `resources/read` of a resource link that cannot be read by this caller:
 * tampered with, signed by an unknown key, expired, owned by another subject or tenant, never
 * stored, evicted or deleted. It is exactly what core and the SDK answer for any unknown URI
 * (`-32602`, `Resource not found: <uri>`, data `{ uri }`, which clients read as
 * resource-not-found), and it carries no reason, so that nothing about a link can be probed.
 *
 * @example
 * ```ts
 * if (isResourceLinkNotFoundError(e)) console.log(e.code); // -32602
 * ```
 */
export class ResourceLinkNotFoundError extends McpProtocolError {
  readonly [BRAND] = true;

  constructor(uri: string) {
    super(JsonRpcErrorCode.ResourceNotFound, RESOURCE_NOT_FOUND(uri), { uri });
  }
}

/** Whether `e` is a {@link ResourceLinkNotFoundError}, across copies of the package. */
export const isResourceLinkNotFoundError = (e: unknown): e is ResourceLinkNotFoundError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
