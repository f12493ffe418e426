import type { Provider } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CallRecorder } from '../recording/call-recorder';
import { SloTracker } from '../slo/slo.tracker';
import { resolveSloOptions } from '../slo/slo-options.resolve';
import type { MetricsResourceOptions } from './metrics-resource-options.interface';
import { METRICS_RESOURCE_OPTIONS, METRICS_RESOURCE_TRACKER } from './metrics-resource.constants';
import { MetricsResource } from './metrics-resource.service';

/**
 * The providers of the metrics resource, for `ObservabilityModule` (`metricsResource`). Uses the
 * SLO part's `SloTracker` when it is on, else a private one (no objectives, no shedding) fed by
 * the `CallRecorder`, which must be in the same module.
 *
 * @example
 * ```ts
 * providers: [CallRecorder, ...metricsResourceProviders({ servers: ['web-scrape'] })]
 * ```
 */
export function metricsResourceProviders(options: MetricsResourceOptions | true): Provider[] {
  const o: MetricsResourceOptions = options === true ? {} : options;
  const resolved: Required<MetricsResourceOptions> = {
    uri: o.uri ?? 'rampart://server/health',
    name: o.name ?? 'server_health',
    servers: o.servers ?? [],
    maxTools: o.maxTools ?? 25,
    maxBreakers: o.maxBreakers ?? 10,
    windowMs: o.windowMs ?? 900_000,
  };
  for (const key of ['maxTools', 'maxBreakers', 'windowMs'] as const)
    if (!(Number.isInteger(resolved[key]) && resolved[key] > 0))
      throw new Error(`MetricsResourceOptions.${key} must be a positive integer`);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(resolved.uri))
    throw new Error(`MetricsResourceOptions.uri must be an absolute URI; got "${resolved.uri}"`);
  return [
    { provide: METRICS_RESOURCE_OPTIONS, useValue: resolved },
    {
      provide: METRICS_RESOURCE_TRACKER,
      inject: [CallRecorder, { token: SloTracker, optional: true }],
      useFactory: (recorder: CallRecorder, slo?: SloTracker): SloTracker => {
        if (slo) return slo;
        // No objectives to read, so no McpServers. Nest runs the lifecycle hooks of a factory's
        // instance too: it subscribes on init.
        return new SloTracker(
          resolveSloOptions({ windowMs: resolved.windowMs, buckets: 15, shedding: false }),
          recorder,
          new Reflector(),
        );
      },
    },
    MetricsResource,
  ];
}
