/** The part of an ioredis client the Redis indicator uses. */
export interface RedisPingable {
  ping(): Promise<string>;
}

/**
 * Options of the health part of `ObservabilityModule` (`health: { ... }`, or `health: true` for
 * the defaults). Liveness (`/health/live`) says the process should keep running: heap. Readiness
 * (`/health/ready`) says it should get traffic: not shutting down, event-loop delay, Redis,
 * circuit breakers.
 *
 * Apps must call `app.enableShutdownHooks()` so that SIGTERM runs the shutdown sequence
 * (readiness 503, drain for `gracePeriodMs`, close).
 *
 * @example
 * ```ts
 * ObservabilityModule.forRoot({
 *   health: { redis: process.env.REDIS_URL, eventLoopDelayMs: 200, gracePeriodMs: 20_000 },
 * });
 * ```
 */
export interface HealthOptions {
  /** Path of the liveness probe. @default '/health/live' */
  livePath?: string;
  /** Path of the readiness probe. @default '/health/ready' */
  readyPath?: string;
  /**
   * Redis to ping in readiness: a `redis://` URL (the health part creates an ioredis client that
   * connects on the first check, retries on the next check rather than in the background, and is
   * disconnected at shutdown) or a client of the app (anything with `ping()`, e.g. ioredis), which
   * is only pinged, never closed. None when unset.
   * @default undefined
   */
  redis?: string | RedisPingable;
  /**
   * How long the Redis ping may take, in milliseconds: past it Redis is down. The client created
   * from a URL also gives up on a command, and drops a connection that has not answered, after it
   * (ioredis' `commandTimeout` and `socketTimeout`, at least 100 ms), so that a Redis that stops
   * answering without closing its connection is down, not slow.
   * @default 1_000
   */
  redisTimeoutMs?: number;
  /**
   * Readiness is down when the 99th percentile of the event-loop delay since the previous check
   * is above this, in milliseconds.
   * @default 1_000
   */
  eventLoopDelayMs?: number;
  /**
   * Liveness is down when the V8 heap in use is above this, in bytes (a process that leaks should
   * be restarted). Not checked when `0`.
   * @default 0 (not checked; the heap in use is still reported)
   */
  heapUsedBytes?: number;
  /**
   * At shutdown, after readiness has turned 503, how long in-flight MCP requests may take to
   * finish before the server closes anyway, in milliseconds.
   * @default 10_000
   */
  gracePeriodMs?: number;
  /**
   * At shutdown, how long readiness answers 503 before draining starts, in milliseconds, so that
   * load balancers stop sending traffic first (set it to the probe period).
   * @default 0
   */
  shutdownDelayMs?: number;
  /**
   * Names of circuit breakers that count as critical besides those that say so themselves
   * (`critical: true` in their state).
   * @default []
   */
  criticalBreakers?: string[];
  /**
   * What readiness reports while a critical breaker is open: `'degraded'` (HTTP 200, status
   * `degraded`: the server still serves its other tools) or `'down'` (HTTP 503).
   * @default 'degraded'
   */
  criticalBreakerOpen?: 'degraded' | 'down';
}
