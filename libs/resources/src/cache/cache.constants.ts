/** Metadata key of `@Cacheable()`. */
export const CACHEABLE_KEY = 'RAMPART:CACHEABLE';

/** Metadata key of `@CacheEvict()`. */
export const CACHE_EVICT_KEY = 'RAMPART:CACHE_EVICT';

/** Defaults of the `ResultCacheModule` options, in one place. */
export const RESULT_CACHE_DEFAULTS = {
  /** Prefix of the Redis keys and of the invalidation channel. */
  keyPrefix: 'rampart:cache:',
  /** Entries the memory tier (L1) keeps before it drops the least recently used. */
  maxEntries: 10_000,
  /** Longest wait for Redis on one cache command; past it the call goes on without Redis. */
  commandTimeoutMs: 500,
  /** Longest wait for Redis when the app boots (connecting), before it goes on without it. */
  connectTimeoutMs: 2_000,
  /** How long Redis is left alone after a failure before the cache tries it again. */
  retryAfterMs: 5_000,
} as const;

/** Injection token of the `ResultCacheModule` options. */
export const RESULT_CACHE_OPTIONS = Symbol.for('rampart:result-cache-options');
