export {
  ResourceStore,
  type ResourceOwner,
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
  ResourcesDefinitionError,
  isResourcesDefinitionError,
} from './errors/resources-definition.error';
export { ResourceTooLargeError, isResourceTooLargeError } from './errors/resource-too-large.error';
export {
  ResourceStoreUnavailableError,
  isResourceStoreUnavailableError,
} from './errors/resource-store-unavailable.error';
export {
  ResourceLinkSigner,
  type ResourceLinkKey,
  type ResourceLinkClaims,
  type ResourceLinkRefusal,
  type ResourceLinkVerdict,
} from './links/resource-link.signer';
export { RESOURCE_URI_PREFIX, MIN_SECRET_BYTES } from './resources.constants';
export { ResourceLinkKeyError, isResourceLinkKeyError } from './errors/resource-link-key.error';
