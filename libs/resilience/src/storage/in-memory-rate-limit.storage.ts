import { RateLimiterMemory } from 'rate-limiter-flexible';
import { consumeOne } from './limiter-verdict';
import type { RateLimitRule, RateLimitStorage, RateLimitVerdict } from './rate-limit.storage';

/**
 * Rate-limit buckets in this process's memory (rate-limiter-flexible's `RateLimiterMemory`, one
 * per rule). The default storage; limits are per replica.
 *
 * @example
 * ```ts
 * ResilienceModule.forRoot({}); // uses InMemoryRateLimitStorage
 * ```
 */
export class InMemoryRateLimitStorage implements RateLimitStorage {
  private readonly limiters = new Map<string, RateLimiterMemory>();

  consume(rule: RateLimitRule, key: string): Promise<RateLimitVerdict> {
    let limiter = this.limiters.get(rule.id);
    if (!limiter) {
      limiter = new RateLimiterMemory({
        keyPrefix: rule.id,
        points: rule.points,
        duration: rule.perMs / 1000,
        blockDuration: (rule.blockMs ?? 0) / 1000,
      });
      this.limiters.set(rule.id, limiter);
    }
    return consumeOne(limiter, key, () => ({ allowed: true, remaining: 0, retryAfterMs: 0 }));
  }
}
