/** Who may be served a cached entry. */
export type CacheScope = 'public' | 'private';

/** Options of `@Cacheable()`. */
export interface CacheableOptions {
  /** How long an entry is kept, in milliseconds (a positive integer). */
  ttlMs: number;
  /**
   * `public`: one entry per arguments, served to every caller. `private`: one entry per
   * arguments and caller (identity subject and tenant); a call without an identity is not cached.
   * @default 'private'
   */
  scope?: CacheScope;
  /**
   * The part of the arguments the entry is keyed by (by default all of them, as canonical JSON).
   * Return only what changes the answer; the server, tool and (when private) caller are always
   * part of the key.
   */
  key?: (args: Record<string, unknown>) => unknown;
  /**
   * Caches a tool that is not annotated `readOnlyHint: true`. Without it such a tool is refused
   * when the app boots: serving a call from the cache would skip what the tool changes.
   * @default false
   */
  allowNonReadOnly?: boolean;
}

/** Options of `@CacheEvict()`. */
export interface CacheEvictOptions {
  /** Tools of the same server whose entries the call drops once it has succeeded. */
  tools: string | readonly string[];
  /**
   * The arguments of the one entry to drop, from the call's arguments (run through the target's
   * own `key` when it has one). Absent: every entry of the tools is dropped.
   */
  args?: (args: Record<string, unknown>) => Record<string, unknown>;
}

/** Options of `ResultCacheModule.forRoot()`. */
export interface ResultCacheModuleOptions {
  /**
   * `false` turns the cache off: `@Cacheable()` and `@CacheEvict()` do nothing and nothing
   * connects to Redis.
   * @default true
   */
  enabled?: boolean;
  /**
   * Per tool name, over its `@Cacheable()`: another `ttlMs` or `scope` (from the app's
   * configuration, say), or `false` to leave the tool uncached. Applies to the tools of every
   * server of the app that have `@Cacheable()`.
   */
  tools?: Record<string, Partial<Pick<CacheableOptions, 'ttlMs' | 'scope'>> | false>;
  /**
   * `redis://` URL of the second tier (L2), shared by the replicas, which also carries the
   * invalidations between them. Unset or empty: memory only.
   */
  redis?: string;
  /**
   * Prefix of the Redis keys and of the invalidation channel. Replicas that share a cache use
   * the same prefix.
   * @default 'rampart:cache:'
   */
  keyPrefix?: string;
  /**
   * Entries the memory tier keeps; past it the least recently used is dropped.
   * @default 10000
   */
  maxEntries?: number;
  /**
   * Longest wait for Redis on one cache command, in milliseconds; past it the call goes on from
   * memory or the method.
   * @default 500
   */
  commandTimeoutMs?: number;
  /**
   * After a Redis failure, how long the cache uses memory only before it tries Redis again.
   * @default 5000
   */
  retryAfterMs?: number;
}
