import { Controller, Get, UseGuards, type Type } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  MemoryHealthIndicator,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { BreakersIndicator } from './breakers.indicator';
import { EventLoopDelayIndicator } from './event-loop-delay.indicator';
import { ReadinessState } from './readiness.state';
import { RedisIndicator } from './redis.indicator';
import type { ResolvedHealthOptions } from './resolve-health-options';
import type { EndpointGuard } from '../endpoints/endpoints-options.interface';

/**
 * Builds the health controller for the configured paths (a route path is fixed when its class
 * is defined, so each configuration gets its own class):
 *
 * - `livePath` (liveness): `heap` (down above `heapUsedBytes`, when set).
 * - `readyPath` (readiness): `shutdown` (down from the start of shutdown), `event_loop`,
 *   `breakers`, and `redis` when configured.
 *
 * Bodies are terminus' (`{ status, info, error, details }`); down answers 503. `guards` go on
 * both routes.
 *
 * @example
 * ```ts
 * @Module({ imports: [TerminusModule], controllers: [createHealthController(resolveHealthOptions(true))] })
 * ```
 */
export function createHealthController(
  options: ResolvedHealthOptions,
  guards: readonly EndpointGuard[] = [],
): Type {
  @Controller()
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly indicators: HealthIndicatorService,
      private readonly memory: MemoryHealthIndicator,
      private readonly readiness: ReadinessState,
      private readonly eventLoop: EventLoopDelayIndicator,
      private readonly breakers: BreakersIndicator,
      private readonly redis: RedisIndicator,
    ) {}

    @Get(options.livePath)
    @HealthCheck({ noCache: true })
    live() {
      return this.health.check([() => this.heap()]);
    }

    @Get(options.readyPath)
    @HealthCheck({ noCache: true })
    ready() {
      const checks: HealthIndicatorFunction[] = [
        () => {
          const session = this.indicators.check('shutdown');
          return this.readiness.shuttingDown
            ? session.down({ shuttingDown: true, inFlight: this.readiness.inFlight() })
            : session.up();
        },
        () => this.eventLoop.check('event_loop'),
        () => this.breakers.check('breakers'),
      ];
      if (this.redis.configured) checks.push(() => this.redis.check('redis'));
      return this.health.check(checks);
    }

    private heap() {
      if (options.heapUsedBytes > 0) return this.memory.checkHeap('heap', options.heapUsedBytes);
      return this.indicators.check('heap').up({ usedBytes: process.memoryUsage().heapUsed });
    }
  }
  if (guards.length > 0) UseGuards(...guards)(HealthController);
  return HealthController;
}
