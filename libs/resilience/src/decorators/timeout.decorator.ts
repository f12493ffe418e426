import { Reflector } from '@nestjs/core';
import type { TimeoutOptions } from '../interfaces/resilience-module-options.interface';
import { validateTimeout } from '../policies/policy-validation';
import { TIMEOUT_KEY } from '../resilience.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link Timeout}, as the interceptor and guard read it. */
export const TimeoutMetadata = Reflector.createDecorator<TimeoutOptions>({ key: TIMEOUT_KEY });

/**
 * Bounds one attempt (`attemptMs`) and the whole call with its retries (`overallMs`); a number is `attemptMs`. A timeout aborts `ctx.signal` so the method's own I/O stops, and answers code `TIMEOUT`.
 * Metadata only: the resilience guard and interceptor carry it out, in the fixed order of
 * docs/resilience.md whatever the order of the decorators. Bad options throw a
 * `ResilienceDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @Timeout({ attemptMs: 2_000, overallMs: 5_000 })
 * ```
 */
export function Timeout(options: TimeoutOptions | number): MethodDecorator {
  return (target, key, descriptor) => {
    const where = `@Timeout() on ${describeMember(target, key)}`;
    TimeoutMetadata(validateTimeout(options, where))(target, key, descriptor);
  };
}
