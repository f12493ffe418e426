import { ConfigurableModuleBuilder, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { ResourcesModuleOptions } from './interfaces/resources-module-options.interface';
import { OffloadInterceptor } from './offload/offload.interceptor';

/** Extras of `ResourcesModule.forRoot()` / `forRootAsync()`, beside the options. */
export interface ResourcesModuleExtras {
  /**
   * Makes `Offloader`, `ResourceStore` and `OffloadInterceptor` injectable everywhere.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * Registers `OffloadInterceptor` as a global interceptor, so that `@Offload()` works on every
   * tool; it passes through every other call. `false`: apply it yourself with
   * `@UseInterceptors(OffloadInterceptor)`.
   * @default true
   */
  globalInterceptor?: boolean;
}

const GLOBAL_INTERCEPTOR: Provider = { provide: APP_INTERCEPTOR, useExisting: OffloadInterceptor };

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: RESOURCES_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ResourcesModuleOptions>({ moduleName: 'Resources' })
  .setClassMethodName('forRoot')
  .setExtras<ResourcesModuleExtras>(
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
