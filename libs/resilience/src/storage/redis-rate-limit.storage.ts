import { Logger } from '@nestjs/common';
import type { ResilienceRedisClient } from '../interfaces/resilience-redis-client.interface';
import {
  RLWrapperTimeouts,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './command-deadline';
import type { RateLimitRule, RateLimitStorage, RateLimitVerdict } from './rate-limit.storage';

/** How long a fail-closed refusal asks the client to wait, in milliseconds. */
const FAIL_CLOSED_RETRY_AFTER_MS = 1_000;

/** The calls of one event-loop turn that take a point from the same bucket, in arrival order. */
type Waiters = ((verdict: RateLimitVerdict) => void)[];

/** One rule's limiter and the calls waiting on each of its buckets until the turn ends. */
interface RuleLimiter {
  rule: RateLimitRule;
  limiter: RLWrapperTimeouts;
  pending: Map<string, Waiters>;
}

/**
 * Rate-limit buckets in Redis, shared by every replica (rate-limiter-flexible's
 * `RateLimiterRedis`). When Redis does not answer (an error, or no answer within
 * `commandTimeoutMs`: rate-limiter-flexible's `RLWrapperTimeouts`), `insurance` counts in this
 * process's memory (`insuranceLimiter`) until Redis answers again, and `fail-closed` refuses with
 * a retryable verdict. Never rejects with a connection error.
 *
 * The calls of one event-loop turn that draw on the same bucket share one Redis command: it takes
 * all their points at once (`consume(key, n)`, one `INCRBY n` in rate-limiter-flexible's script)
 * and the calls are numbered in arrival order, so the k-th of them holds the k-th of those points
 * and is allowed exactly when it would have been with a command of its own. Under load that is
 * most of the rate limit's cost (a command, its promise, its timeout and its reply per call;
 * docs/benchmarks.md); a bucket that one call alone uses in a turn still costs one command, and
 * different buckets never share one, so one caller's calls never count against another's.
 *
 * @example
 * ```ts
 * const redis = new Redis({ enableOfflineQueue: false, socketTimeout: 1_000 });
 * const storage = new RedisRateLimitStorage(redis, 'app:', 'insurance', 1_000);
 * ```
 */
export class RedisRateLimitStorage implements RateLimitStorage {
  private readonly limiters = new Map<string, RuleLimiter>();
  /** Limiters with waiting calls, sent when the turn ends. */
  private readonly due = new Set<RuleLimiter>();
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
    const limiter = this.limiters.get(rule.id) ?? this.limiterOf(rule);
    return new Promise((resolve) => {
      const waiters = limiter.pending.get(key);
      if (waiters) return void waiters.push(resolve);
      limiter.pending.set(key, [resolve]);
      // After the poll phase: the calls that arrived on every socket read in this turn are in.
      if (this.due.size === 0) setImmediate(this.send);
      this.due.add(limiter);
    });
  }

  /** One command per bucket with waiting calls. */
  private readonly send = (): void => {
    for (const limiter of this.due) {
      for (const [key, waiters] of limiter.pending) void this.take(limiter, key, waiters);
      limiter.pending.clear();
    }
    this.due.clear();
  };

  /** Takes the points of `waiters` from bucket `key` and answers each in arrival order. */
  private async take({ rule, limiter }: RuleLimiter, key: string, waiters: Waiters): Promise<void> {
    const n = waiters.length;
    let res: RateLimiterRes;
    let over = false;
    try {
      res = await limiter.consume(key, n);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) {
        const verdict = this.unavailable(e);
        for (const answer of waiters) answer(verdict);
        return;
      }
      res = e;
      over = true;
    }
    // The calls hold points C − n + 1 … C in arrival order; over the limit, the points before it
    // still belong to the first calls.
    const first = res.consumedPoints - n + 1;
    const retryAfterMs = Math.max(1, res.msBeforeNext);
    for (let i = 0; i < n; i++)
      waiters[i](
        !over || first + i <= rule.points
          ? { allowed: true, remaining: Math.max(0, rule.points - (first + i)), retryAfterMs: 0 }
          : { allowed: false, remaining: 0, retryAfterMs },
      );
  }

  private limiterOf(rule: RateLimitRule): RuleLimiter {
    const common = {
      keyPrefix: `${this.keyPrefix}rl:${rule.id}`,
      points: rule.points,
      duration: rule.perMs / 1000,
      blockDuration: (rule.blockMs ?? 0) / 1000,
    };
    // The insurance limiter belongs to the wrapper, not to the Redis limiter: a call that timed
    // out and then fails in Redis too must not take a second point from it.
    const limiter: RuleLimiter = {
      rule,
      limiter: new RLWrapperTimeouts({
        limiter: new RateLimiterRedis({
          ...common,
          storeClient: this.client,
          rejectIfRedisNotReady: true,
        }),
        timeoutMs: this.commandTimeoutMs,
        blockDuration: common.blockDuration,
        ...(this.onDown === 'insurance' && { insuranceLimiter: new RateLimiterMemory(common) }),
      }),
      pending: new Map(),
    };
    this.limiters.set(rule.id, limiter);
    return limiter;
  }

  /** The fail-closed verdict (the insurance limiter answers before this in `insurance` mode). */
  private unavailable(error: unknown): RateLimitVerdict {
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
  }
}
