import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HEALTH_OPTIONS } from './health.constants';
import type { ResolvedHealthOptions } from './resolve-health-options';

/**
 * Event-loop delay, from one `perf_hooks` histogram enabled once the app has bootstrapped and
 * disabled at shutdown: down when its 99th percentile since the previous check is above
 * `eventLoopDelayMs`.
 *
 * The first window opens at `onApplicationBootstrap`, not at `onModuleInit`: what the modules do
 * while they start (connecting, compiling schemas, loading packages) is boot, not a loop too
 * busy to serve, and counted it would make the first readiness check of a replica that boots on
 * a busy node answer 503. The bootstrap hooks of modules nearer the root (the app's own) run
 * after this one and still count.
 *
 * @example
 * ```ts
 * this.health.check([() => this.eventLoop.check('event_loop')]);
 * ```
 */
@Injectable()
export class EventLoopDelayIndicator implements OnApplicationBootstrap, OnApplicationShutdown {
  private histogram?: ReturnType<typeof monitorEventLoopDelay>;

  constructor(
    @Inject(HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
    private readonly indicators: HealthIndicatorService,
  ) {}

  onApplicationBootstrap(): void {
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
  }

  onApplicationShutdown(): void {
    this.histogram?.disable();
  }

  check<const Key extends string>(key: Key) {
    const session = this.indicators.check(key);
    const h = this.histogram;
    const p99Ms = h && h.count > 0 ? h.percentile(99) / 1e6 : 0;
    const maxMs = h && h.count > 0 ? h.max / 1e6 : 0;
    h?.reset();
    const data = {
      p99Ms: Math.round(p99Ms * 10) / 10,
      maxMs: Math.round(maxMs * 10) / 10,
      thresholdMs: this.options.eventLoopDelayMs,
    };
    return p99Ms > this.options.eventLoopDelayMs ? session.down(data) : session.up(data);
  }
}
