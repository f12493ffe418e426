import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { loadPackage } from '../audit/optional-package.util';
import { BreakersIndicator } from './breakers.indicator';
import { EventLoopDelayIndicator } from './event-loop-delay.indicator';
import { createHealthController } from './health.controller';
import { HEALTH_OPTIONS, HEALTH_REDIS } from './health.constants';
import type { HealthOptions, RedisPingable } from './health-options.interface';
import { ReadinessState } from './readiness.state';
import { RedisIndicator, type OwnedRedis } from './redis.indicator';
import { resolveHealthOptions } from './resolve-health-options';

/**
 * What `ObservabilityModule` adds for `health`: `TerminusModule`, the health controller
 * (`/health/live`, `/health/ready`), its indicators, and the {@link ReadinessState} that turns
 * readiness 503 and drains in-flight requests at shutdown. Needs the `CallRecorder` in the same
 * module. Apps must call `app.enableShutdownHooks()` for SIGTERM to run the drain.
 *
 * @example
 * ```ts
 * const health = healthParts({ redis: 'redis://127.0.0.1:6379', gracePeriodMs: 5_000 });
 * @Module({ imports: health.imports, controllers: health.controllers, providers: [CallRecorder, ...health.providers] })
 * class HealthModule {}
 * ```
 */
export function healthParts(options: HealthOptions | true): {
  controllers: Type[];
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
  if (resolved.redis !== undefined)
    providers.push({
      provide: HEALTH_REDIS,
      useFactory: () => redisClient(resolved.redis!, resolved.redisTimeoutMs),
    });
  return {
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [createHealthController(resolved)],
    providers,
  };
}

function redisClient(redis: string | RedisPingable, timeoutMs: number): RedisPingable {
  if (typeof redis !== 'string') return redis;
  const ioredis = loadPackage<{ default?: unknown }>('ioredis', 'The Redis health indicator');
  const Redis = (ioredis.default ?? ioredis) as new (
    url: string,
    options: object,
  ) => OwnedRedis & {
    on(event: 'error', listener: (e: Error) => void): void;
  };
  const client = new Redis(redis, {
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(timeoutMs, 100),
  });
  // Errors surface as a down `redis` indicator; the event itself must not crash the process.
  client.on('error', () => undefined);
  return client;
}
