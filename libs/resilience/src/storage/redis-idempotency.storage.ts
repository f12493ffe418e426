import type { ResilienceRedisClient } from '../interfaces/resilience-redis-client.interface';
import { DEFAULT_COMMAND_TIMEOUT_MS, withDeadline } from './command-deadline';
import { StorageUnavailableError, isStorageUnavailableError } from './storage-unavailable.error';
import type { IdempotencyClaim, IdempotencyStorage } from './idempotency.storage';

interface Stored {
  s: 'pending' | 'done';
  f: string;
  r?: unknown;
}

/** `DEL key` if it holds a pending record (whose JSON starts with `{"s":"pending"`). */
const RELEASE_IF_PENDING = `local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 14) == '{"s":"pending"' then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Idempotency records in Redis, shared by replicas: a claim is `SET key pending NX PX ttl`; the
 * result replaces it (`SET key done PX ttl`). Results must be JSON. When Redis does not answer
 * (an error, or no answer within `commandTimeoutMs`), methods reject with a
 * {@link StorageUnavailableError} (the interceptor then falls back or refuses, as configured).
 *
 * @example
 * ```ts
 * const redis = new Redis({ enableOfflineQueue: false, socketTimeout: 1_000 });
 * const storage = new RedisIdempotencyStorage(redis, 'app:', 1_000);
 * ```
 */
export class RedisIdempotencyStorage implements IdempotencyStorage {
  constructor(
    private readonly client: ResilienceRedisClient,
    private readonly keyPrefix: string,
    /** Longest wait for one command, in milliseconds. */
    private readonly commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
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

  /**
   * Deletes the record only while it is `pending`: a call that ran past its pending time may fail
   * after another call took the key over and completed, and must not delete that result (a later
   * duplicate would run the tool again).
   */
  async release(key: string): Promise<void> {
    await this.run(() => this.client.eval(RELEASE_IF_PENDING, 1, this.key(key)));
  }

  private key(key: string): string {
    return `${this.keyPrefix}idem:${key}`;
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') throw new StorageUnavailableError(this.client.status);
    try {
      return await withDeadline(command(), this.commandTimeoutMs);
    } catch (e) {
      if (isStorageUnavailableError(e)) throw e;
      throw new StorageUnavailableError(e instanceof Error ? e.message : String(e), e);
    }
  }
}
