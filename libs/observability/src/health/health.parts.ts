import type { DynamicModule, Provider, Type } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TerminusModule,
} from '@nestjs/terminus';
import type { EndpointPart } from '../endpoints/observability-endpoints';
import { BreakersIndicator } from './breakers.indicator';
import { EventLoopDelayIndicator } from './event-loop-delay.indicator';
import { createHealthController } from './health.controller';
import { HEALTH_OPTIONS } from './health.constants';
import type { HealthOptions } from './health-options.interface';
import { ReadinessState } from './readiness.state';
import { RedisIndicator } from './redis.indicator';
import { resolveHealthOptions } from './resolve-health-options';

/**
 * What `ObservabilityModule` adds for `health`: `TerminusModule`, the health endpoint
 * (`/health/live`, `/health/ready`), its indicators, and the {@link ReadinessState} that turns
 * readiness 503 and drains in-flight requests at shutdown. Needs the `CallRecorder` in the same
 * module. Apps must call `app.enableShutdownHooks()` for SIGTERM to run the drain.
 *
 * @example
 * ```ts
 * const health = healthParts({ redis: 'redis://127.0.0.1:6379', gracePeriodMs: 5_000 });
 * @Module({ imports: health.imports, controllers: [health.endpoint.controller([])], providers: [CallRecorder, ...health.providers] })
 * class HealthModule {}
 * ```
 */
export function healthParts(options: HealthOptions | true): {
  endpoint: EndpointPart;
  providers: Provider[];
  imports: (DynamicModule | Type)[];
} {
  const resolved = resolveHealthOptions(options);
  const providers: Provider[] = [
    { provide: HEALTH_OPTIONS, useValue: resolved },
    ReadinessState,
    EventLoopDelayIndicator,
    BreakersIndicator,
    RedisIndicator,
  ];
  return {
    imports: [TerminusModule.forRoot({ logger: false })],
    endpoint: {
      controller: (guards) => createHealthController(resolved, guards),
      tokens: [
        HealthCheckService,
        HealthIndicatorService,
        MemoryHealthIndicator,
        ReadinessState,
        EventLoopDelayIndicator,
        BreakersIndicator,
        RedisIndicator,
      ],
    },
    providers,
  };
}
