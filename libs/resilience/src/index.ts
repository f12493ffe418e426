export { ResilienceModule } from './resilience.module';
export {
  RESILIENCE_MODULE_OPTIONS,
  OPTIONS_TYPE as RESILIENCE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE as RESILIENCE_ASYNC_OPTIONS_TYPE,
} from './resilience.module-definition';
export type {
  ResilienceModuleOptions,
  ToolPolicy,
  RateLimitOptions,
  RateLimitKey,
  RetryOptions,
  BackoffKind,
  CircuitBreakerOptions,
  SamplingOptions,
  TimeoutOptions,
  BulkheadOptions,
  IdempotentOptions,
  LoadSheddingOptions,
  RedisStorageOptions,
} from './interfaces/resilience-module-options.interface';
export type { ResilienceRedisClient } from './interfaces/resilience-redis-client.interface';
export { RateLimit, RateLimitMetadata } from './decorators/rate-limit.decorator';
export { Retry, RetryMetadata } from './decorators/retry.decorator';
export { CircuitBreaker, CircuitBreakerMetadata } from './decorators/circuit-breaker.decorator';
export { Timeout, TimeoutMetadata } from './decorators/timeout.decorator';
export { Bulkhead, BulkheadMetadata } from './decorators/bulkhead.decorator';
export { Idempotent, IdempotentMetadata } from './decorators/idempotent.decorator';
export { RateLimitedError, isRateLimitedError } from './errors/rate-limited.error';
export { CircuitOpenError, isCircuitOpenError } from './errors/circuit-open.error';
export { OverloadedError, isOverloadedError } from './errors/overloaded.error';
export { CallTimeoutError, isCallTimeoutError } from './errors/call-timeout.error';
export {
  IdempotencyKeyReusedError,
  isIdempotencyKeyReusedError,
} from './errors/idempotency-key-reused.error';
export {
  InvalidIdempotencyKeyError,
  isInvalidIdempotencyKeyError,
} from './errors/invalid-idempotency-key.error';
export {
  ResilienceDefinitionError,
  isResilienceDefinitionError,
} from './errors/resilience-definition.error';
export { RateLimitGuard } from './guards/rate-limit.guard';
export { ResilienceInterceptor } from './interceptors/resilience.interceptor';
export { LoadSheddingHook } from './hooks/load-shedding.hook';
export { EndpointRateLimitHook } from './hooks/endpoint-rate-limit.hook';
export { BreakerRegistry } from './policies/breaker-registry.service';
export { ResiliencePolicies } from './policies/resilience-policies.service';
export {
  RateLimitStorage,
  type RateLimitRule,
  type RateLimitVerdict,
} from './storage/rate-limit.storage';
export { InMemoryRateLimitStorage } from './storage/in-memory-rate-limit.storage';
export { RedisRateLimitStorage } from './storage/redis-rate-limit.storage';
export { IdempotencyStorage, type IdempotencyClaim } from './storage/idempotency.storage';
export { InMemoryIdempotencyStorage } from './storage/in-memory-idempotency.storage';
export { RedisIdempotencyStorage } from './storage/redis-idempotency.storage';
export { BreakerStateStorage } from './storage/breaker-state.storage';
export { InMemoryBreakerStateStorage } from './storage/in-memory-breaker-state.storage';
export { RedisBreakerStateStorage } from './storage/redis-breaker-state.storage';
export {
  StorageUnavailableError,
  isStorageUnavailableError,
} from './storage/storage-unavailable.error';
export { ResilienceRedis } from './storage/resilience-redis';
export {
  IDEMPOTENCY_META_KEY,
  MAX_IDEMPOTENCY_KEY_CHARS,
  RESILIENCE_REDIS,
  OVERLOADED_RPC_CODE,
  RATE_LIMITED_RPC_CODE,
  RATE_LIMIT_KEY,
  RETRY_KEY,
  CIRCUIT_BREAKER_KEY,
  TIMEOUT_KEY,
  BULKHEAD_KEY,
  IDEMPOTENT_KEY,
} from './resilience.constants';
export type { ResilienceRejectionReason } from './resilience-telemetry';
