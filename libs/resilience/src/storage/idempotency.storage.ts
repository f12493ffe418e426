/** What {@link IdempotencyStorage.claim} found under a key. */
export type IdempotencyClaim =
  /** Nothing was there: the caller now owns the key and runs the call. */
  | { status: 'claimed' }
  /** Another call with this key is running (on this or another replica). */
  | { status: 'pending'; fingerprint: string }
  /** A call with this key completed: its result. */
  | { status: 'done'; fingerprint: string; result: unknown };

/**
 * Where idempotency records live: {@link InMemoryIdempotencyStorage} by default, Redis with
 * `storage: { redis }`. A record is `pending` while its first call runs, then `done` with the
 * result, until its TTL ends.
 *
 * @example
 * ```ts
 * const claim = await storage.claim('web:charge:alice:order-42', fingerprint, 60_000);
 * if (claim.status === 'claimed') await storage.complete('web:charge:alice:order-42', fingerprint, result, 60_000);
 * ```
 */
export interface IdempotencyStorage {
  /** Claims `key` for a new call (atomically), or returns what is there. */
  claim(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyClaim>;
  /** Stores the result of the call that claimed `key`. */
  complete(key: string, fingerprint: string, result: unknown, ttlMs: number): Promise<void>;
  /** Drops the claim of a call that failed, so that the key can be used again. */
  release(key: string): Promise<void>;
}

/** Injection token of the {@link IdempotencyStorage}. */
export const IdempotencyStorage = Symbol.for('rampart:IdempotencyStorage');
