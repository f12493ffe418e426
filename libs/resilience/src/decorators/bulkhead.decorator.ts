import { Reflector } from '@nestjs/core';
import type { BulkheadOptions } from '../interfaces/resilience-module-options.interface';
import { validateBulkhead } from '../policies/policy-validation';
import { BULKHEAD_KEY } from '../resilience.constants';
import { describeMember } from './describe-member';

/** Typed metadata of {@link Bulkhead}, as the interceptor and guard read it. */
export const BulkheadMetadata = Reflector.createDecorator<BulkheadOptions>({ key: BULKHEAD_KEY });

/**
 * Caps the calls of a tool running at once in this process, with a waiting queue; a full queue answers `isError` with code `OVERLOADED`.
 * Metadata only: the resilience guard and interceptor carry it out, in the fixed order of
 * docs/resilience.md whatever the order of the decorators. Bad options throw a
 * `ResilienceDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @Bulkhead({ maxConcurrent: 4, maxQueue: 16 })
 * ```
 */
export function Bulkhead(options: BulkheadOptions): MethodDecorator {
  return (target, key, descriptor) => {
    const where = `@Bulkhead() on ${describeMember(target, key)}`;
    BulkheadMetadata(validateBulkhead(options, where))(target, key, descriptor);
  };
}
