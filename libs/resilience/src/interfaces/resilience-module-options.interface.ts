import type { McpContext } from '@rampart/core';
import type { ResilienceRedisClient } from './resilience-redis-client.interface';

/** Which bucket a call counts against. A function gets the call's context and raw arguments. */
export type RateLimitKey =
  'identity' | 'tenant' | 'ip' | ((ctx: McpContext, args: Record<string, unknown>) => string);

/**
 * One rate limit: `points` calls per `perMs` milliseconds, per key.
 *
 * @example
 * ```ts
 * const burst: RateLimitOptions = { name: 'burst', points: 5, perMs: 1_000 };
 * ```
 */
export interface RateLimitOptions {
  /**
   * Name of the limit, unique per tool (part of the storage key).
   * @default `${points}-per-${perMs}`
   */
  name?: string;
  /** Calls allowed per window. */
  points: number;
  /** Window length in milliseconds: a whole number of seconds (rate-limiter-flexible counts in seconds). */
  perMs: number;
  /**
   * Whose bucket a call takes from. `identity` falls back to the client IP, then to one shared
   * `anonymous` bucket; `tenant` falls back to `identity`.
   * @default 'identity'
   */
  key?: RateLimitKey;
  /**
   * Once exceeded, refuse the key for this long (whole seconds) instead of until the window ends.
   * @default 0 (no extra block)
   */
  blockMs?: number;
}

/** Backoff between retries. */
export type BackoffKind = 'exponential' | 'decorrelated-jitter';

/**
 * Options of `@Retry()`.
 *
 * @example
 * ```ts
 * @Retry({ attempts: 3, backoff: 'decorrelated-jitter', initialDelayMs: 100, maxDelayMs: 2_000 })
 * ```
 */
export interface RetryOptions {
  /** Total attempts, the first one included (2 or more). */
  attempts: number;
  /**
   * Backoff between attempts.
   * @default 'exponential'
   */
  backoff?: BackoffKind;
  /**
   * First delay in milliseconds.
   * @default 100
   */
  initialDelayMs?: number;
  /**
   * Cap of any delay, in milliseconds.
   * @default 10_000
   */
  maxDelayMs?: number;
  /**
   * Randomizes exponential delays between half and all of their value (decorrelated jitter is
   * always random).
   * @default false
   */
  jitter?: boolean;
  /**
   * Which errors are retried: error classes or a predicate. A `ToolError` with
   * `retryable: false` is never retried, whatever this says.
   * @default every error except `ToolError`s that are not `retryable` and open circuits
   */
  on?: Array<abstract new (...args: any[]) => unknown> | ((error: unknown) => boolean);
  /**
   * Allows `@Retry()` on a tool that is not annotated `idempotentHint` or `readOnlyHint`.
   * @default false
   */
  unsafe?: boolean;
}

/**
 * Failure-rate breaker settings: the circuit opens when more than `threshold` of the calls of the
 * last `durationMs` failed, once the window holds at least `minimumRps × durationMs / 1000` calls.
 *
 * @example
 * ```ts
 * // 10 calls in the last 10 s at least, more than half of them failed.
 * const sampling: SamplingOptions = { threshold: 0.5, durationMs: 10_000, minimumRps: 1 };
 * ```
 */
export interface SamplingOptions {
  /** Failure ratio in (0, 1) that the window must exceed (equal does not open). */
  threshold: number;
  /** Sampling window in milliseconds; calls older than this never count. */
  durationMs: number;
  /**
   * Calls per second needed, over the window, before the ratio counts; `0` for no minimum.
   * @default 5
   */
  minimumRps?: number;
}

/**
 * Options of `@CircuitBreaker()`: give `consecutiveFailures` or `sampling`.
 *
 * @example
 * ```ts
 * @CircuitBreaker({ consecutiveFailures: 5, halfOpenAfterMs: 30_000, key: (args) => new URL(String(args.url)).host })
 * ```
 */
export interface CircuitBreakerOptions {
  /** Opens after this many failures in a row. */
  consecutiveFailures?: number;
  /** Opens when the failure ratio over a window passes a threshold. */
  sampling?: SamplingOptions;
  /** How long the circuit stays open before one probe call is let through, in milliseconds. */
  halfOpenAfterMs: number;
  /**
   * One breaker per key (e.g. per upstream host) instead of one per tool; a refusal names the key
   * in `details.key`. It gets the arguments before validation: when it throws, the call runs in a
   * breaker keyed `(invalid)` and validation answers it.
   * @default one breaker per tool
   */
  key?: (args: Record<string, unknown>, ctx: McpContext) => string;
  /**
   * Keyed breakers kept per tool. Past it the least recently used closed breaker is dropped
   * (an open one only when all are open), with its state: it leaves `MCP_BREAKER_STATES` and
   * comes back closed.
   * @default 1000
   */
  maxKeys?: number;
  /**
   * Shares the open state across replicas through the module's Redis storage.
   * @default false
   */
  shared?: boolean;
  /**
   * Health reports degraded while this breaker is open.
   * @default false
   */
  critical?: boolean;
}

/**
 * Options of `@Timeout()`. A number is `attemptMs`.
 *
 * @example
 * ```ts
 * @Timeout({ attemptMs: 2_000, overallMs: 5_000 })
 * ```
 */
export interface TimeoutOptions {
  /**
   * Limit of one attempt, in milliseconds (inside retries).
   * @default none
   */
  attemptMs?: number;
  /**
   * Limit of the whole call, retries and their delays included, in milliseconds.
   * @default none
   */
  overallMs?: number;
}

/**
 * Options of `@Bulkhead()`.
 *
 * @example
 * ```ts
 * @Bulkhead({ maxConcurrent: 4, maxQueue: 16 })
 * ```
 */
export interface BulkheadOptions {
  /** Calls of this tool running at once (per process). */
  maxConcurrent: number;
  /**
   * Calls waiting for a slot; more are refused with `OVERLOADED`.
   * @default 0
   */
  maxQueue?: number;
  /**
   * `retryAfterMs` of an `OVERLOADED` refusal.
   * @default 1000
   */
  retryAfterMs?: number;
}

/**
 * Options of `@Idempotent()`.
 *
 * @example
 * ```ts
 * @Idempotent({ ttlMs: 86_400_000, argument: 'requestId' })
 * ```
 */
export interface IdempotentOptions {
  /** How long a result is kept for replay, in milliseconds. */
  ttlMs: number;
  /**
   * Argument that carries the key when `_meta['io.rampart/idempotency-key']` is absent.
   * @default none (only `_meta`)
   */
  argument?: string;
}

/**
 * Every policy a tool can have; what `defaults` and `tools` of the module options hold.
 *
 * @example
 * ```ts
 * const policy: ToolPolicy = { timeout: { attemptMs: 5_000 }, bulkhead: { maxConcurrent: 8 } };
 * ```
 */
export interface ToolPolicy {
  /** Rate limits; see `@RateLimit()`. @default none */
  rateLimit?: RateLimitOptions | RateLimitOptions[];
  /** Retries; see `@Retry()`. @default none */
  retry?: RetryOptions;
  /** Circuit breaker; see `@CircuitBreaker()`. @default none */
  circuitBreaker?: CircuitBreakerOptions;
  /** Timeouts; see `@Timeout()`. @default none */
  timeout?: TimeoutOptions | number;
  /** Concurrency limit; see `@Bulkhead()`. @default none */
  bulkhead?: BulkheadOptions;
  /** Idempotency keys; see `@Idempotent()`. @default none */
  idempotent?: IdempotentOptions;
}

/** Redis storage: shares limits, breakers and idempotency records across replicas. */
export interface RedisStorageOptions {
  /**
   * A Redis URL (a client is created, and closed on shutdown; needs the `ioredis` package) or an
   * ioredis client (never closed by Rampart; see {@link ResilienceRedisClient}). `undefined`
   * (e.g. an unset `REDIS_URL`) means memory storage.
   */
  redis: string | ResilienceRedisClient | undefined;
  /**
   * Prefix of every key Rampart writes.
   * @default 'rampart:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one storage command, in milliseconds: past it the command counts as
   * failed and `onRedisDown` answers (a Redis that stops answering without closing its
   * connection is down, not slow). Rampart bounds every storage command by it, whatever the
   * client; a client it creates from a URL also gets it as ioredis' `commandTimeout` and
   * `socketTimeout`, so that it drops a connection that stopped answering and later calls fall
   * back at once, until Redis answers again. A positive integer.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

/**
 * Server-wide cap on requests in flight.
 *
 * @example
 * ```ts
 * ResilienceModule.forRoot({ loadShedding: { maxInFlight: 200, retryAfterMs: 2_000 } });
 * ```
 */
export interface LoadSheddingOptions {
  /** `tools/call`, `resources/read` and `prompts/get` requests served at once. */
  maxInFlight: number;
  /**
   * `Retry-After` of a refusal, in milliseconds.
   * @default 1000
   */
  retryAfterMs?: number;
}

/**
 * Options of `ResilienceModule.forRoot()`.
 *
 * @example
 * ```ts
 * ResilienceModule.forRoot({
 *   storage: { redis: process.env.REDIS_URL },
 *   defaults: { timeout: { attemptMs: 10_000 } },
 *   tools: { scrape_url: { rateLimit: { points: 10, perMs: 60_000 } } },
 * });
 * ```
 */
export interface ResilienceModuleOptions {
  /**
   * Where limits, shared breakers and idempotency records live.
   * @default 'memory'
   */
  storage?: 'memory' | RedisStorageOptions;
  /**
   * What rate limits and idempotency do when Redis does not answer (an error, or no answer
   * within `storage.commandTimeoutMs`): `insurance` falls back to per-process memory until Redis
   * answers again; `fail-closed` refuses calls (retryable) instead.
   * @default 'insurance'
   */
  onRedisDown?: 'insurance' | 'fail-closed';
  /**
   * Policies of every tool, tools added at run time (`McpServers.get(name).addTool()`) included.
   * A tool's decorators replace a default of the same kind, and `tools` replaces both. A default
   * retry only applies to tools annotated idempotent or read-only.
   * @default none
   */
  defaults?: ToolPolicy;
  /**
   * Per-tool policies by tool name; each kind given here replaces the decorator's. A name may be
   * that of a tool added at run time: its policy applies from the tool's first call. A retry on
   * such a tool needs `idempotentHint` or `readOnlyHint` in its annotations, or `unsafe: true`;
   * otherwise it is not applied (a warning is logged), since there is no boot left to fail.
   * @default none
   */
  tools?: Record<string, ToolPolicy>;
  /**
   * Server-wide cap on requests in flight (HTTP 503 + `Retry-After`, or a JSON-RPC error).
   * @default none
   */
  loadShedding?: LoadSheddingOptions;
  /**
   * Endpoint-wide rate limit on every `tools/call`, `resources/read` and `prompts/get`
   * (HTTP 429 + `Retry-After`, or a JSON-RPC error).
   * @default none
   */
  endpointRateLimit?: RateLimitOptions | RateLimitOptions[];
  /**
   * Only apply to the MCP server of this name.
   * @default every server of the app
   */
  server?: string;
  /**
   * Source of randomness for backoff jitter (tests pass a seeded one).
   * @default Math.random
   */
  random?: () => number;
}
