import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RESULT_CACHE_OPTIONS } from './cache.constants';
import type { ResultCacheModuleOptions } from './cache-options.interface';
import { ResultCacheInterceptor } from './result-cache.interceptor';

/** Extras of `ResultCacheModule.forRoot()` / `forRootAsync()`, beside the options. */
export interface ResultCacheModuleExtras {
  /**
   * Makes `ResultCache` and `ResultCacheInterceptor` injectable everywhere.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * Registers `ResultCacheInterceptor` as a global interceptor, so that `@Cacheable()` and
   * `@CacheEvict()` work on every tool and resource. `false`: apply it yourself with
   * `@UseInterceptors(ResultCacheInterceptor)`.
   * @default true
   */
  globalInterceptor?: boolean;
}

const GLOBAL_INTERCEPTOR: Provider = {
  provide: APP_INTERCEPTOR,
  useExisting: ResultCacheInterceptor,
};

export { RESULT_CACHE_OPTIONS };

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<ResultCacheModuleOptions>({
    moduleName: 'ResultCache',
    optionsInjectionToken: RESULT_CACHE_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setExtras<ResultCacheModuleExtras>(
      { isGlobal: true, globalInterceptor: true },
      (definition, extras) => ({
        ...definition,
        global: extras.isGlobal,
        providers: [
          ...(definition.providers ?? []),
          ...(extras.globalInterceptor === false ? [] : [GLOBAL_INTERCEPTOR]),
        ],
      }),
    )
    .build();
