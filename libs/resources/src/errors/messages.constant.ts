const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 3 : 1)} MiB`;

export const INVALID_MODULE_OPTION = (path: string, problem: string) =>
  `Invalid ResourcesModule option "${path}": ${problem}`;
export const INVALID_OFFLOAD_OPTION = (where: string, problem: string) =>
  `Invalid @Offload() on ${where}: ${problem}`;
export const SHORT_SECRET = (kid: string, bytes: number, min: number) =>
  `The resource link signing key "${kid}" has a secret of ${bytes} bytes; it needs ${min} or more. Generate one with \`openssl rand -base64 48\` and give every replica the same value.`;
export const BAD_KEY = (index: number, problem: string) =>
  `ResourcesModule option "keys[${index}]" cannot sign resource links: ${problem}`;
export const EPHEMERAL_KEY = (kid: string) =>
  `No "keys" configured: resource links are signed with a random key ("${kid}") made at boot. Links will not survive a restart and will not be readable on other replicas; configure keys: [{ id, secret }] from your secrets to share them.`;
export const RESOURCE_TOO_LARGE = (bytes: number, max: number) =>
  `The result is ${bytes} bytes (${mib(bytes)}), more than the resource store keeps for one entry (maxEntryBytes ${max} bytes, ${mib(max)}).`;
export const OWNER_REQUIRED = () =>
  'This result is too large to return inline and is only kept for an authenticated caller: call again with credentials.';
export const STORE_UNAVAILABLE = (problem: string) =>
  `The resource store is unavailable (${problem}); try again shortly.`;
export const RESOURCE_NOT_FOUND = (uri: string) => `Resource not found: ${uri}`;
export const REDIS_DOWN = (message: string) => `Redis unavailable for resources: ${message}`;
export const RECORD_CORRUPT = (id: string) =>
  `The resource store holds a record for "${id}" that is not one the store wrote.`;
export const INVALID_CACHEABLE = (where: string, problem: string) =>
  `Invalid @Cacheable() on ${where}: ${problem}`;
export const INVALID_CACHE_EVICT = (where: string, problem: string) =>
  `Invalid @CacheEvict() on ${where}: ${problem}`;
export const NOT_READ_ONLY = (where: string, tool: string) =>
  `@Cacheable() on ${where}: the tool "${tool}" is not annotated readOnlyHint: true, so a cached answer could skip a change it makes. Annotate it read-only, or say @Cacheable({ allowNonReadOnly: true }) if serving it from the cache is safe.`;
export const UNKNOWN_EVICT_TARGET = (where: string, server: string, tool: string) =>
  `@CacheEvict() on ${where}: the server "${server}" has no tool "${tool}" to evict.`;
export const INVALID_CACHE_OPTION = (path: string, problem: string) =>
  `Invalid ResultCacheModule option "${path}": ${problem}`;
export const CACHE_REDIS_DOWN = (message: string) =>
  `Redis unavailable for the result cache (${message}): serving from memory and the methods until it answers again.`;
export const CACHE_REDIS_BACK = () => 'Redis answers the result cache again.';
