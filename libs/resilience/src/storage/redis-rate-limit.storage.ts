import { Logger } from '@nestjs/common';
import type { ResilienceRedisClient } from '../interfaces/resilience-redis-client.interface';
import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './command-deadline';
import { consumeOne } from './limiter-verdict';
import type { RateLimitRule, RateLimitStorage, RateLimitVerdict } from './rate-limit.storage';

/** How long a fail-closed refusal asks the client to wait, in milliseconds. */
const FAIL_CLOSED_RETRY_AFTER_MS = 1_000;

/**
 * Rate-limit buckets in Redis, shared by every replica (rate-limiter-flexible's
 * `RateLimiterRedis`). When Redis does not answer (an error, or no answer within
 * `commandTimeoutMs`: rate-limiter-flexible's `RLWrapperTimeouts`), `insurance` counts in this
 * process's memory (`insuranceLimiter`) until Redis answers again, and `fail-closed` refuses with
 * a retryable verdict. Never rejects with a connection error.
 *
 * @example
 * ```ts
 * const redis = new Redis({ enableOfflineQueue: false, socketTimeout: 1_000 });
 * const storage = new RedisRateLimitStorage(redis, 'app:', 'insurance', 1_000);
 * ```
 */
export class RedisRateLimitStorage implements RateLimitStorage {
  private readonly limiters = new Map<string, RLWrapperTimeouts>();
  private readonly logger = new Logger('ResilienceRateLimit');
  private warned = false;

  constructor(
    private readonly client: ResilienceRedisClient,
    private readonly keyPrefix: string,
    private readonly onDown: 'insurance' | 'fail-closed',
    /** Longest wait for Redis on one call, in milliseconds. */
    private readonly commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ) {}

  consume(rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
    let limiter = this.limiters.get(rule.id);
    if (!limiter) {
      const common = {
        keyPrefix: `${this.keyPrefix}rl:${rule.id}`,
        points: rule.points,
        duration: rule.perMs / 1000,
        blockDuration: (rule.blockMs ?? 0) / 1000,
      };
      // The insurance limiter belongs to the wrapper, not to the Redis limiter: a call that timed
      // out and then fails in Redis too must not take a second point from it.
      limiter = new RLWrapperTimeouts({
        limiter: new RateLimiterRedis({
          ...common,
          storeClient: this.client,
          rejectIfRedisNotReady: true,
        }),
        timeoutMs: this.commandTimeoutMs,
        blockDuration: common.blockDuration,
        ...(this.onDown === 'insurance' && { insuranceLimiter: new RateLimiterMemory(common) }),
      });
      this.limiters.set(rule.id, limiter);
    }
    return consumeOne(limiter, key, (error) => {
      if (!this.warned) {
        this.warned = true;
        this.logger.warn(
          `Redis unavailable for rate limits; refusing calls (fail-closed): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return {
        allowed: false,
        remaining: 0,
        retryAfterMs: FAIL_CLOSED_RETRY_AFTER_MS,
        unavailable: true,
      };
    });
  }
}
