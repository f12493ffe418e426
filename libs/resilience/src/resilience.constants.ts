/** Metadata key of `@RateLimit()`. */
export const RATE_LIMIT_KEY = 'RAMPART:RATE_LIMIT';
/** Metadata key of `@Retry()`. */
export const RETRY_KEY = 'RAMPART:RETRY';
/** Metadata key of `@CircuitBreaker()`. */
export const CIRCUIT_BREAKER_KEY = 'RAMPART:CIRCUIT_BREAKER';
/** Metadata key of `@Timeout()`. */
export const TIMEOUT_KEY = 'RAMPART:TIMEOUT';
/** Metadata key of `@Bulkhead()`. */
export const BULKHEAD_KEY = 'RAMPART:BULKHEAD';
/** Metadata key of `@Idempotent()`. */
export const IDEMPOTENT_KEY = 'RAMPART:IDEMPOTENT';

/**
 * The `_meta` key that carries an idempotency key on a `tools/call` request. Namespaced with a
 * reverse-DNS prefix as the MCP spec asks for custom `_meta` keys.
 *
 * @example
 * ```ts
 * await client.callTool({ name: 'charge', arguments, _meta: { [IDEMPOTENCY_META_KEY]: 'order-42' } });
 * ```
 */
export const IDEMPOTENCY_META_KEY = 'io.rampart/idempotency-key';

/**
 * Longest idempotency key, in characters (Stripe's bound). A longer one is refused with
 * `INVALID_IDEMPOTENCY_KEY`: the key is stored with each result for `ttlMs` and a caller chooses
 * it, so its length would be the caller's to choose up to the body limit.
 */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/** Injection token of the ioredis client the module uses, or `undefined` with memory storage. */
export const RESILIENCE_REDIS = Symbol.for('rampart:resilience-redis');

/** JSON-RPC error code of a request refused by load shedding (server-defined range). */
export const OVERLOADED_RPC_CODE = -32050;
/** JSON-RPC error code of a request refused by the endpoint-wide rate limit. */
export const RATE_LIMITED_RPC_CODE = -32029;
