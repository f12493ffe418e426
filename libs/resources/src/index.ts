export { ResourcesModule } from './resources.module';
export {
  RESOURCES_MODULE_OPTIONS,
  type ResourcesModuleExtras,
} from './resources.module-definition';
export type {
  ResourcesModuleOptions,
  RedisResourcesStorage,
  OffloadOptions,
} from './interfaces/resources-module-options.interface';
export {
  ResourceStore,
  type ResourceOwner,
  type ResourceOwnerFilter,
  type ResourceInput,
  type StoredResource,
  type ResourcePutResult,
  type ResourceStoreUsage,
} from './storage/resource.store';
export type { ResourceStoreLimits } from './storage/store-limits';
export {
  InMemoryResourceStore,
  type InMemoryResourceStoreOptions,
} from './storage/in-memory-resource.store';
export {
  RedisResourceStore,
  type RedisResourceStoreOptions,
  DEFAULT_RESOURCES_REDIS_PREFIX,
  DEFAULT_RESOURCES_COMMAND_TIMEOUT_MS,
} from './storage/redis-resource.store';
export {
  ResourceLinkSigner,
  type ResourceLinkKey,
  type ResourceLinkClaims,
  type ResourceLinkRefusal,
  type ResourceLinkVerdict,
} from './links/resource-link.signer';
export { Offloader, type OffloadCallOptions } from './offload/offloader.service';
export type {
  OffloadedToolResult,
  OffloadedStructuredContent,
} from './offload/offloaded-result.interface';
export { OffloadInterceptor } from './offload/offload.interceptor';
export { OffloadedResources } from './offload/offloaded-resources.provider';
export { Offload, OffloadMetadata } from './decorators/offload.decorator';
export {
  OFFLOAD_KEY,
  RESOURCE_URI_PREFIX,
  RESOURCE_URI_TEMPLATE,
  RESOURCE_TEMPLATE_NAME,
  MIN_SECRET_BYTES,
} from './resources.constants';
export {
  ResourcesDefinitionError,
  isResourcesDefinitionError,
} from './errors/resources-definition.error';
export { ResourceLinkKeyError, isResourceLinkKeyError } from './errors/resource-link-key.error';
export { ResourceTooLargeError, isResourceTooLargeError } from './errors/resource-too-large.error';
export {
  ResourceOwnerRequiredError,
  isResourceOwnerRequiredError,
} from './errors/resource-owner-required.error';
export {
  ResourceStoreUnavailableError,
  isResourceStoreUnavailableError,
} from './errors/resource-store-unavailable.error';
export {
  ResourceLinkNotFoundError,
  isResourceLinkNotFoundError,
} from './errors/resource-link-not-found.error';
export { ResultCacheModule } from './cache/result-cache.module';
export { type ResultCacheModuleExtras } from './cache/result-cache.module-definition';
export { ResultCache, type CacheEntryKey, type CacheLookup } from './cache/result-cache.service';
export { ResultCacheInterceptor } from './cache/result-cache.interceptor';
export {
  Cacheable,
  CacheEvict,
  CacheableMetadata,
  CacheEvictMetadata,
} from './cache/cacheable.decorator';
export type {
  CacheableOptions,
  CacheEvictOptions,
  CacheScope,
  ResultCacheModuleOptions,
} from './cache/cache-options.interface';
export {
  CACHEABLE_KEY,
  CACHE_EVICT_KEY,
  RESULT_CACHE_OPTIONS,
  RESULT_CACHE_DEFAULTS,
} from './cache/cache.constants';
export { canonicalJson } from './cache/canonical-json';
export { CacheDefinitionError, isCacheDefinitionError } from './errors/cache-definition.error';
