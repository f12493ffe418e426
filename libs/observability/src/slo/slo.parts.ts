import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { createSloController } from './slo.controller';
import { SLO_OPTIONS } from './slo.constants';
import { SloMetrics } from './slo.metrics';
import { SloSheddingHook } from './slo-shedding.hook';
import { SloTracker } from './slo.tracker';
import type { SloOptions } from './slo-options.interface';
import { resolveSloOptions } from './slo-options.resolve';

/**
 * What `ObservabilityModule` adds for `slo`: the {@link SloTracker} (fed by the `CallRecorder`,
 * which must be in the same module), the `/slo` JSON controller, the `rampart_slo_*` gauges on
 * the observability registry, and the {@link SloSheddingHook} (a no-op for tools without
 * `shedWhenExhausted`). Options are checked here, at module definition.
 *
 * @example
 * ```ts
 * const slo = sloParts({ tools: { search: { success: 0.995 } } });
 * @Module({ imports: slo.imports, controllers: slo.controllers, providers: [CallRecorder, ...slo.providers] })
 * class SloModule {}
 * ```
 */
export function sloParts(options: SloOptions | true): {
  controllers: Type[];
  providers: Provider[];
  imports: (DynamicModule | Type)[];
} {
  const resolved = resolveSloOptions(options);
  const providers: Provider[] = [{ provide: SLO_OPTIONS, useValue: resolved }, SloTracker];
  if (resolved.metrics) providers.push(SloMetrics);
  if (resolved.shedding) providers.push(SloSheddingHook);
  return {
    imports: [],
    controllers: resolved.path === false ? [] : [createSloController(resolved.path)],
    providers,
  };
}
