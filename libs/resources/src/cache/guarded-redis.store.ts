import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { EventEmitter } from 'node:events';
import type { RedisGuard } from './redis-guard';

/**
 * A Keyv store over `@keyv/redis` whose commands go through a {@link RedisGuard}: while Redis is
 * down a read is a miss and a write or delete does nothing, at once, so the cache's second tier
 * never fails a call.
 */
export class GuardedRedisStore extends EventEmitter implements KeyvStoreAdapter {
  namespace?: string;

  constructor(
    private readonly inner: KeyvStoreAdapter,
    private readonly guard: RedisGuard,
  ) {
    super();
  }

  get opts(): unknown {
    return this.inner.opts;
  }

  get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.guard.run(() => this.inner.get<Value>(key), undefined);
  }

  set(key: string, value: unknown, ttl?: number): Promise<unknown> {
    return this.guard.run(() => Promise.resolve(this.inner.set(key, value, ttl)), undefined);
  }

  delete(key: string): Promise<boolean> {
    return this.guard.run(() => this.inner.delete(key), false);
  }

  clear(): Promise<void> {
    return this.guard.run(() => this.inner.clear(), undefined);
  }

  /** Connects the client, when the inner store can be told to (`@keyv/redis` can). */
  async connect(): Promise<void> {
    const inner = this.inner as { getClient?: () => Promise<unknown> };
    await inner.getClient?.();
  }

  async disconnect(): Promise<void> {
    // `@keyv/redis` destroys the client when forced: no wait on a Redis that does not answer.
    const inner = this.inner as { disconnect?: (force?: boolean) => Promise<void> };
    await inner.disconnect?.(true).catch(() => undefined);
  }
}
