/** One rate-limit rule as storages see it. */
export interface RateLimitRule {
  /** Unique per rule: namespaces the rule's buckets (e.g. `server:tool:limit`). */
  id: string;
  points: number;
  perMs: number;
  blockMs?: number;
}

/** What a storage answers for one call. */
export interface RateLimitVerdict {
  allowed: boolean;
  /** Calls left in the window. */
  remaining: number;
  /** When the bucket has room again, in milliseconds (0 when allowed). */
  retryAfterMs: number;
  /** The storage could not answer and refused (fail-closed). */
  unavailable?: boolean;
}

/**
 * Where rate-limit buckets live: {@link InMemoryRateLimitStorage} by default, Redis (shared by
 * replicas) with `storage: { redis }`. Implement it to keep buckets elsewhere.
 *
 * @example
 * ```ts
 * const verdict = await storage.consume({ id: 'web:scrape:burst', points: 5, perMs: 1_000 }, 'id:alice');
 * if (!verdict.allowed) throw new RateLimitedError('slow down', { retryAfterMs: verdict.retryAfterMs });
 * ```
 */
export interface RateLimitStorage {
  /**
   * Takes one point from the bucket `key` of `rule`. Never throws or rejects. A storage that
   * can answer at once returns the verdict itself (the in-memory one does), so that the guard
   * decides without a promise; one that waits on the network returns a promise of it.
   */
  consume(rule: RateLimitRule, key: string): RateLimitVerdict | Promise<RateLimitVerdict>;
}

/** Injection token of the {@link RateLimitStorage}. */
export const RateLimitStorage = Symbol.for('rampart:RateLimitStorage');
