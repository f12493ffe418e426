import type { IdempotencyClaim, IdempotencyStorage } from './idempotency.storage';
import { SweptMemoryStore } from './swept-memory.store';

interface Entry {
  fingerprint: string;
  expiresAt: number;
  done: boolean;
  result?: unknown;
}

/**
 * Idempotency records in this process's memory. Expired records are dropped when read and by one
 * `unref()`ed sweep (started on init, cleared on shutdown).
 *
 * @example
 * ```ts
 * const storage = new InMemoryIdempotencyStorage();
 * await storage.claim('k', 'fp', 60_000); // { status: 'claimed' }
 * ```
 */
export class InMemoryIdempotencyStorage extends SweptMemoryStore implements IdempotencyStorage {
  private readonly entries = new Map<string, Entry>();

  claim(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyClaim> {
    const entry = this.live(key);
    if (!entry) {
      this.entries.set(key, { fingerprint, expiresAt: Date.now() + ttlMs, done: false });
      return Promise.resolve({ status: 'claimed' });
    }
    return Promise.resolve(
      entry.done
        ? { status: 'done', fingerprint: entry.fingerprint, result: entry.result }
        : { status: 'pending', fingerprint: entry.fingerprint },
    );
  }

  complete(key: string, fingerprint: string, result: unknown, ttlMs: number): Promise<void> {
    this.entries.set(key, { fingerprint, expiresAt: Date.now() + ttlMs, done: true, result });
    return Promise.resolve();
  }

  release(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  /** Records currently held (expired ones included until pruned). */
  get size(): number {
    return this.entries.size;
  }

  /** Drops expired records. */
  prune(now = Date.now()): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
