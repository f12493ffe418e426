import { Reflector } from '@nestjs/core';
import { INVALID_OFFLOAD_OPTION } from '../errors/messages.constant';
import { ResourcesDefinitionError } from '../errors/resources-definition.error';
import type { OffloadOptions } from '../interfaces/resources-module-options.interface';
import { OFFLOAD_KEY } from '../resources.constants';
import { offloadProblems } from '../resources-options';

/** Typed metadata of {@link Offload}, as the `OffloadInterceptor` reads it. */
export const OffloadMetadata = Reflector.createDecorator<OffloadOptions>({ key: OFFLOAD_KEY });

/**
 * Offloads a tool's large result: when the method returns a string or bytes of more than
 * `thresholdBytes`, the caller gets a preview and a signed resource link instead (see
 * `Offloader.offloadIfLarge()`); smaller results pass through unchanged. Options override the
 * module's `offload` defaults.
 *
 * Metadata only: the `OffloadInterceptor` (registered globally by `ResourcesModule`, or applied
 * with `@UseInterceptors(OffloadInterceptor)`) carries it out. Bad options throw a
 * `ResourcesDefinitionError` when the class is defined.
 *
 * @example
 * ```ts
 * @Tool({ name: 'export_logs', annotations: { readOnlyHint: true } })
 * @Offload({ thresholdBytes: 16_384, previewChars: 1_000, mimeType: 'text/plain' })
 * exportLogs(@Args() input: ExportInput) { return this.logs.dump(input.since); }
 * ```
 */
export function Offload(options: OffloadOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const [problem] = offloadProblems(options);
    if (problem) {
      const where = `${(target as { constructor: { name: string } }).constructor.name}.${String(key)}`;
      throw new ResourcesDefinitionError(INVALID_OFFLOAD_OPTION(where, problem));
    }
    OffloadMetadata({ ...options })(target, key, descriptor);
  };
}
