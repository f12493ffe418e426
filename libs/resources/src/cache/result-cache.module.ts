import { Module, type DynamicModule } from '@nestjs/common';
import type { ResultCacheModuleOptions } from './cache-options.interface';
import { ResultCacheInterceptor } from './result-cache.interceptor';
import {
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  RESULT_CACHE_OPTIONS,
} from './result-cache.module-definition';
import { ResultCache } from './result-cache.service';

/**
 * The two-level result cache: `@Cacheable()` on read-only tools and resources, `@CacheEvict()` on
 * the tools that change what they read. Memory first, then Redis shared by the replicas when
 * `redis` is set, with invalidations carried between them on Redis pub/sub. Global by default;
 * registers the `ResultCacheInterceptor` globally unless `globalInterceptor: false`;
 * `enabled: false` turns it off. Import it before `ResilienceModule` so that a hit skips the
 * retries, timeouts and breakers of the call (guards and rate limits still run). See
 * docs/caching.md.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     McpModule.forRoot({ name: 'web-scrape', version: '1.0.0' }),
 *     ResultCacheModule.forRoot({ redis: process.env.REDIS_URL }),
 *   ],
 *   providers: [WeatherTools],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  providers: [
    {
      provide: ResultCache,
      inject: [RESULT_CACHE_OPTIONS],
      useFactory: (options: ResultCacheModuleOptions = {}) =>
        new ResultCache(options.enabled === false ? { ...options, redis: undefined } : options),
    },
    ResultCacheInterceptor,
  ],
  exports: [ResultCache, ResultCacheInterceptor],
})
export class ResultCacheModule extends ConfigurableModuleClass {
  /** The module with `options` (all optional: memory only, the defaults). */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
