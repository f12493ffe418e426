import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { EndpointPart } from '../endpoints/observability-endpoints';
import { createSloController } from './slo.controller';
import { SLO_OPTIONS } from './slo.constants';
import { SloMetrics } from './slo.metrics';
import { SloSheddingHook } from './slo-shedding.hook';
import { SloTracker } from './slo.tracker';
import type { SloOptions } from './slo-options.interface';
import { resolveSloOptions } from './slo-options.resolve';

/**
 * What `ObservabilityModule` adds for `slo`: the {@link SloTracker} (fed by the `CallRecorder`,
 * which must be in the same module), the `/slo` JSON endpoint (unless `path: false`), the `rampart_slo_*` gauges on
 * the observability registry, and the {@link SloSheddingHook} (a no-op for tools without
 * `shedWhenExhausted`). Options are checked here, at module definition.
 *
 * @example
 * ```ts
 * const slo = sloParts({ tools: { search: { success: 0.995 } } });
 * @Module({ imports: slo.imports, controllers: slo.endpoint ? [slo.endpoint.controller([])] : [], providers: [CallRecorder, ...slo.providers] })
 * class SloModule {}
 * ```
 */
export function sloParts(options: SloOptions | true): {
  endpoint?: EndpointPart;
  providers: Provider[];
  imports: (DynamicModule | Type)[];
} {
  const resolved = resolveSloOptions(options);
  const providers: Provider[] = [{ provide: SLO_OPTIONS, useValue: resolved }, SloTracker];
  if (resolved.metrics) providers.push(SloMetrics);
  if (resolved.shedding) providers.push(SloSheddingHook);
  const path = resolved.path;
  return {
    imports: [],
    endpoint:
      path === false
        ? undefined
        : { controller: (guards) => createSloController(path, guards), tokens: [SloTracker] },
    providers,
  };
}
