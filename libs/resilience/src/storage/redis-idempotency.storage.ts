import type { Redis } from 'ioredis';
import { StorageUnavailableError } from './storage-unavailable.error';
import type { IdempotencyClaim, IdempotencyStorage } from './idempotency.storage';

interface Stored {
  s: 'pending' | 'done';
  f: string;
  r?: unknown;
}

/**
 * Idempotency records in Redis, shared by replicas: a claim is `SET key pending NX PX ttl`; the
 * result replaces it (`SET key done PX ttl`). Results must be JSON. When Redis does not answer,
 * methods reject with a {@link StorageUnavailableError} (the interceptor then falls back or
 * refuses, as configured).
 *
 * @example
 * ```ts
 * const storage = new RedisIdempotencyStorage(new Redis({ enableOfflineQueue: false }), 'app:');
 * ```
 */
export class RedisIdempotencyStorage implements IdempotencyStorage {
  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
  ) {}

  async claim(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyClaim> {
    const k = this.key(key);
    const pending = JSON.stringify({ s: 'pending', f: fingerprint } satisfies Stored);
    const set = await this.run(() => this.client.set(k, pending, 'PX', ttlMs, 'NX'));
    if (set === 'OK') return { status: 'claimed' };
    const raw = await this.run(() => this.client.get(k));
    // Expired between the two commands: claim again.
    if (raw === null) return this.claim(key, fingerprint, ttlMs);
    const stored = JSON.parse(raw) as Stored;
    return stored.s === 'done'
      ? { status: 'done', fingerprint: stored.f, result: stored.r }
      : { status: 'pending', fingerprint: stored.f };
  }

  async complete(key: string, fingerprint: string, result: unknown, ttlMs: number): Promise<void> {
    const done = JSON.stringify({ s: 'done', f: fingerprint, r: result } satisfies Stored);
    await this.run(() => this.client.set(this.key(key), done, 'PX', ttlMs));
  }

  async release(key: string): Promise<void> {
    await this.run(() => this.client.del(this.key(key)));
  }

  private key(key: string): string {
    return `${this.keyPrefix}idem:${key}`;
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') throw new StorageUnavailableError(this.client.status);
    try {
      return await command();
    } catch (e) {
      throw new StorageUnavailableError(e instanceof Error ? e.message : String(e), e);
    }
  }
}
