import { ToolError } from '@rampart/core';
import { EGRESS_REFUSED, EGRESS_REFUSED_SUGGESTION } from './egress-messages.constant';

const BRAND = Symbol.for('rampart.EgressRefusedError');

/**
 * A URL whose target the `SafeFetcher` refuses: code `EGRESS_REFUSED`, the same message for
 * every reason (a private, loopback, link-local or otherwise reserved address, a port outside
 * the policy, a host on the deny list, a name that does not resolve, a redirect to any of those),
 * so that a caller cannot map the network behind the server. No connection was made. The reason
 * is logged by the fetcher, never carried here.
 *
 * The caller's fault: never retried, never counted by a circuit breaker.
 *
 * @example
 * ```ts
 * try { await fetcher.get(url); }
 * catch (e) { if (isEgressRefusedError(e)) metrics.refused.inc(); throw e; }
 * ```
 */
export class EgressRefusedError extends ToolError {
  readonly [BRAND] = true;

  constructor() {
    super('EGRESS_REFUSED', EGRESS_REFUSED(), {
      fault: 'caller',
      suggestions: [EGRESS_REFUSED_SUGGESTION()],
    });
  }
}

/** Whether `e` is an {@link EgressRefusedError}, across copies of the package. */
export const isEgressRefusedError = (e: unknown): e is EgressRefusedError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
