import { Reflector } from '@nestjs/core';
import type { CircuitBreakerOptions } from '../interfaces/resilience-module-options.interface';
import { validateCircuitBreaker } from '../policies/policy-validation';
import { CIRCUIT_BREAKER_KEY } from '../resilience.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link CircuitBreaker}, as the interceptor and guard read it. */
export const CircuitBreakerMetadata = Reflector.createDecorator<CircuitBreakerOptions>({
  key: CIRCUIT_BREAKER_KEY,
});

/**
 * Stops calling a failing tool (or a failing upstream, with `key`) for `halfOpenAfterMs`, then lets one probe through. An open circuit answers `isError` with code `CIRCUIT_OPEN` and `retryAfterMs`.
 * Metadata only: the resilience guard and interceptor carry it out, in the fixed order of
 * docs/resilience.md whatever the order of the decorators. Bad options throw a
 * `ResilienceDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000 })
 * ```
 */
export function CircuitBreaker(options: CircuitBreakerOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = `@CircuitBreaker() on ${describeMember(target, key)}`;
    CircuitBreakerMetadata(validateCircuitBreaker(options, where))(target, key, descriptor);
  };
}
