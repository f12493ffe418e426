import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { consumeOne } from './limiter-verdict';
import type { RateLimitRule, RateLimitStorage, RateLimitVerdict } from './rate-limit.storage';

/** How long a fail-closed refusal asks the client to wait, in milliseconds. */
const FAIL_CLOSED_RETRY_AFTER_MS = 1_000;

/**
 * Rate-limit buckets in Redis, shared by every replica (rate-limiter-flexible's
 * `RateLimiterRedis`). When Redis does not answer, `insurance` counts in this process's memory
 * (`insuranceLimiter`) until Redis is back, and `fail-closed` refuses with a retryable verdict.
 * Never rejects with a connection error.
 *
 * @example
 * ```ts
 * const storage = new RedisRateLimitStorage(new Redis({ enableOfflineQueue: false }), 'app:', 'insurance');
 * ```
 */
export class RedisRateLimitStorage implements RateLimitStorage {
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private readonly logger = new Logger('ResilienceRateLimit');
  private warned = false;

  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
    private readonly onDown: 'insurance' | 'fail-closed',
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
      limiter = new RateLimiterRedis({
        ...common,
        storeClient: this.client,
        rejectIfRedisNotReady: true,
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
