import { Reflector } from '@nestjs/core';
import type { RateLimitOptions } from '../interfaces/resilience-module-options.interface';
import { validateRateLimits, type NormalizedRateLimit } from '../policies/policy-validation';
import { RATE_LIMIT_KEY } from '../resilience.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link RateLimit}, as the interceptor and guard read it. */
export const RateLimitMetadata = Reflector.createDecorator<NormalizedRateLimit[]>({
  key: RATE_LIMIT_KEY,
});

/**
 * Limits how often a tool is called, per identity (or tenant, client IP, or a key of your own); give several limits for a burst and a sustained rate. A refused call answers `isError` with code `RATE_LIMITED` and `retryAfterMs`.
 * Metadata only: the resilience guard and interceptor carry it out, in the fixed order of
 * docs/resilience.md whatever the order of the decorators. Bad options throw a
 * `ResilienceDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @RateLimit([{ name: 'burst', points: 5, perMs: 1_000 }, { name: 'sustained', points: 100, perMs: 60_000 }])
 * ```
 */
export function RateLimit(options: RateLimitOptions | RateLimitOptions[]): MethodDecorator {
  return (target, key, descriptor) => {
    const where = `@RateLimit() on ${describeMember(target, key)}`;
    RateLimitMetadata(validateRateLimits(options, where))(target, key, descriptor);
  };
}
