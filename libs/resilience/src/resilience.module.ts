import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { MCP_BREAKER_STATES } from '@rampart/core';
import { RateLimitGuard } from './guards/rate-limit.guard';
import { EndpointRateLimitHook } from './hooks/endpoint-rate-limit.hook';
import { LoadSheddingHook } from './hooks/load-shedding.hook';
import { ResilienceInterceptor } from './interceptors/resilience.interceptor';
import type { ResilienceModuleOptions } from './interfaces/resilience-module-options.interface';
import { BreakerRegistry } from './policies/breaker-registry.service';
import { ResiliencePolicies } from './policies/resilience-policies.service';
import { ConfigurableModuleClass, RESILIENCE_MODULE_OPTIONS } from './resilience.module-definition';
import { BreakerStateStorage } from './storage/breaker-state.storage';
import { IdempotencyStorage } from './storage/idempotency.storage';
import { InMemoryBreakerStateStorage } from './storage/in-memory-breaker-state.storage';
import { InMemoryIdempotencyStorage } from './storage/in-memory-idempotency.storage';
import { InMemoryRateLimitStorage } from './storage/in-memory-rate-limit.storage';
import { RateLimitStorage } from './storage/rate-limit.storage';
import { RedisBreakerStateStorage } from './storage/redis-breaker-state.storage';
import { RedisIdempotencyStorage } from './storage/redis-idempotency.storage';
import { RedisRateLimitStorage } from './storage/redis-rate-limit.storage';
import { ResilienceRedis } from './storage/resilience-redis';

/**
 * Rate limits, retries, circuit breakers, timeouts, bulkheads, load shedding and idempotency keys
 * for the MCP tools of the app. Registers one global guard (rate limits) and one global
 * interceptor (everything else); both do nothing for handlers without a policy. Global by
 * default (`isGlobal: false` to opt out), and provides `MCP_BREAKER_STATES`.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     McpModule.forRoot({ name: 'web-scrape', version: '1.0.0' }),
 *     ResilienceModule.forRoot({ storage: { redis: process.env.REDIS_URL } }), // memory when unset
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  providers: [
    {
      provide: ResilienceRedis,
      useFactory: (options: ResilienceModuleOptions) => new ResilienceRedis(options),
      inject: [RESILIENCE_MODULE_OPTIONS],
    },
    {
      provide: RateLimitStorage,
      useFactory: (options: ResilienceModuleOptions, redis: ResilienceRedis) =>
        redis.client
          ? new RedisRateLimitStorage(
              redis.client,
              redis.keyPrefix,
              options.onRedisDown ?? 'insurance',
              redis.commandTimeoutMs,
            )
          : new InMemoryRateLimitStorage(),
      inject: [RESILIENCE_MODULE_OPTIONS, ResilienceRedis],
    },
    {
      provide: IdempotencyStorage,
      useFactory: (redis: ResilienceRedis) =>
        redis.client
          ? new RedisIdempotencyStorage(redis.client, redis.keyPrefix, redis.commandTimeoutMs)
          : new InMemoryIdempotencyStorage(),
      inject: [ResilienceRedis],
    },
    {
      provide: BreakerStateStorage,
      useFactory: (redis: ResilienceRedis) =>
        redis.client
          ? new RedisBreakerStateStorage(redis.client, redis.keyPrefix, redis.commandTimeoutMs)
          : new InMemoryBreakerStateStorage(),
      inject: [ResilienceRedis],
    },
    BreakerRegistry,
    { provide: MCP_BREAKER_STATES, useExisting: BreakerRegistry },
    ResiliencePolicies,
    RateLimitGuard,
    ResilienceInterceptor,
    { provide: APP_GUARD, useExisting: RateLimitGuard },
    { provide: APP_INTERCEPTOR, useExisting: ResilienceInterceptor },
    LoadSheddingHook,
    EndpointRateLimitHook,
  ],
  exports: [
    MCP_BREAKER_STATES,
    BreakerRegistry,
    RateLimitStorage,
    IdempotencyStorage,
    BreakerStateStorage,
  ],
})
export class ResilienceModule extends ConfigurableModuleClass {}
