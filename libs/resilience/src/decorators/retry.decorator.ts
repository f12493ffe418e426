import { Reflector } from '@nestjs/core';
import type { RetryOptions } from '../interfaces/resilience-module-options.interface';
import { validateRetry } from '../policies/policy-validation';
import { RETRY_KEY } from '../resilience.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link Retry}, as the interceptor and guard read it. */
export const RetryMetadata = Reflector.createDecorator<RetryOptions>({ key: RETRY_KEY });

/**
 * Runs a failed call again, with exponential or decorrelated-jitter backoff, within the call's deadline. Only on tools annotated `idempotentHint` or `readOnlyHint` (else boot fails) unless `unsafe: true`.
 * Metadata only: the resilience guard and interceptor carry it out, in the fixed order of
 * docs/resilience.md whatever the order of the decorators. Bad options throw a
 * `ResilienceDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @Retry({ attempts: 3, backoff: 'decorrelated-jitter', initialDelayMs: 100, maxDelayMs: 2_000 })
 * ```
 */
export function Retry(options: RetryOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = `@Retry() on ${describeMember(target, key)}`;
    RetryMetadata(validateRetry(options, where))(target, key, descriptor);
  };
}
