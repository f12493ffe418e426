import { Logger, Module, type DynamicModule } from '@nestjs/common';
import type { ResourcesModuleOptions } from './interfaces/resources-module-options.interface';
import { ResourceLinkSigner } from './links/resource-link.signer';
import { OffloadInterceptor } from './offload/offload.interceptor';
import { OffloadedResources } from './offload/offloaded-resources.provider';
import { Offloader } from './offload/offloader.service';
import {
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  RESOURCES_MODULE_OPTIONS,
} from './resources.module-definition';
import { RESOLVED_RESOURCES_OPTIONS, resolveResourcesOptions } from './resources-options';
import { InMemoryResourceStore } from './storage/in-memory-resource.store';
import { RedisResourceStore } from './storage/redis-resource.store';
import { ResourceStore } from './storage/resource.store';

/** The store of the options: memory, Redis from a URL or client, or the user's own instance. */
function createStore(options: ResourcesModuleOptions): ResourceStore {
  const storage = options.storage ?? 'memory';
  const limits = { maxBytes: options.maxBytes, maxEntryBytes: options.maxEntryBytes };
  if (storage !== 'memory' && !('redis' in storage)) return storage;
  if (storage === 'memory' || storage.redis === undefined || storage.redis === '')
    return new InMemoryResourceStore({ ...limits, sweepIntervalMs: options.sweepIntervalMs });
  return new RedisResourceStore(storage.redis, {
    ...limits,
    keyPrefix: storage.keyPrefix,
    commandTimeoutMs: storage.commandTimeoutMs,
  });
}

/**
 * Large tool results kept out of the model's context: a {@link ResourceStore} (memory with TTL
 * and LRU eviction by bytes, or Redis shared by replicas), the `Offloader` and `@Offload()` that
 * turn a large result into a preview plus a resource link, and the resource template
 * (`rampart://resources/{+ref}`) that reads it back, for its owner only, through signed,
 * expiring links. Global by default (`isGlobal: false` to opt out); registers the
 * `OffloadInterceptor` globally unless `globalInterceptor: false`. See docs/resources.md.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     McpModule.forRoot({ name: 'web-scrape', version: '1.0.0' }),
 *     ResourcesModule.forRootAsync({
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({
 *         storage: { redis: config.get('REDIS_URL') }, // memory when unset
 *         keys: [{ id: 'k1', secret: config.getOrThrow('RESOURCE_LINK_SECRET') }],
 *       }),
 *     }),
 *   ],
 *   providers: [ScrapeTools],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  providers: [
    {
      provide: RESOLVED_RESOURCES_OPTIONS,
      inject: [RESOURCES_MODULE_OPTIONS],
      useFactory: (options: ResourcesModuleOptions) => resolveResourcesOptions(options),
    },
    {
      // Nest runs the lifecycle hooks of the instance: the memory store's sweep, Redis's close.
      // The resolved options come first so that bad options fail before anything connects.
      provide: ResourceStore,
      inject: [RESOURCES_MODULE_OPTIONS, RESOLVED_RESOURCES_OPTIONS],
      useFactory: (options: ResourcesModuleOptions) => createStore(options ?? {}),
    },
    {
      provide: ResourceLinkSigner,
      inject: [RESOURCES_MODULE_OPTIONS],
      useFactory: (options: ResourcesModuleOptions) =>
        options?.keys === undefined
          ? ResourceLinkSigner.ephemeral(new Logger('ResourcesModule'))
          : new ResourceLinkSigner(options.keys),
    },
    Offloader,
    OffloadInterceptor,
    OffloadedResources,
  ],
  exports: [ResourceStore, ResourceLinkSigner, Offloader, OffloadInterceptor],
})
export class ResourcesModule extends ConfigurableModuleClass {
  /** The module with `options` (all optional: memory, a random key, the defaults). */
  static override forRoot(options: typeof OPTIONS_TYPE = {}): DynamicModule {
    return super.forRoot(options);
  }
}
