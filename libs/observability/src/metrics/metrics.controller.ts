import { Controller, Get, Header, Inject, UseGuards, type Type } from '@nestjs/common';
import type { EndpointGuard } from '../endpoints/endpoints-options.interface';
import { prometheusContentType, type Registry } from 'prom-client';
import { OBSERVABILITY_REGISTRY } from '../observability.constants';

/**
 * Builds the controller that serves the registry in the Prometheus text format at `path` (below
 * the app's global prefix), behind `guards`. A class per path, since a controller's path is
 * decorator metadata; it works on Express and Fastify alike.
 *
 * @example
 * ```ts
 * @Module({ controllers: [createMetricsController('/internal/metrics', [OperationsGuard])] })
 * export class OpsModule {}
 * ```
 */
export function createMetricsController(
  path: string,
  guards: readonly EndpointGuard[] = [],
): Type<{ metrics(): Promise<string> }> {
  @Controller(path)
  class MetricsController {
    constructor(@Inject(OBSERVABILITY_REGISTRY) private readonly registry: Registry) {}

    /** The registry in the Prometheus text exposition format. */
    @Get()
    @Header('Content-Type', prometheusContentType)
    @Header('Cache-Control', 'no-store')
    metrics(): Promise<string> {
      return this.registry.metrics();
    }
  }
  if (guards.length > 0) UseGuards(...guards)(MetricsController);
  return MetricsController;
}
