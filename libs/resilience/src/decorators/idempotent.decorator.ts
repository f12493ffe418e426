import { Reflector } from '@nestjs/core';
import type { IdempotentOptions } from '../interfaces/resilience-module-options.interface';
import { validateIdempotent } from '../policies/policy-validation';
import { IDEMPOTENT_KEY } from '../resilience.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link Idempotent}, as the interceptor and guard read it. */
export const IdempotentMetadata = Reflector.createDecorator<IdempotentOptions>({
  key: IDEMPOTENT_KEY,
});

/**
 * Replays the stored result of an earlier call with the same idempotency key (`_meta['io.rampart/idempotency-key']`, or the `argument` named here) and the same arguments, without running the method again; the same key with other arguments answers code `IDEMPOTENCY_KEY_REUSED`.
 * Metadata only: the resilience guard and interceptor carry it out, in the fixed order of
 * docs/resilience.md whatever the order of the decorators. Bad options throw a
 * `ResilienceDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @Idempotent({ ttlMs: 86_400_000, argument: 'requestId' })
 * ```
 */
export function Idempotent(options: IdempotentOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = `@Idempotent() on ${describeMember(target, key)}`;
    IdempotentMetadata(validateIdempotent(options, where))(target, key, descriptor);
  };
}
