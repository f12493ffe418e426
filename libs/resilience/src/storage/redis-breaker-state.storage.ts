import type { Redis } from 'ioredis';
import type { BreakerStateStorage } from './breaker-state.storage';

/**
 * Shared breaker state in Redis: an open breaker is a key holding its `openUntil` (epoch ms),
 * expiring then (`SET … PX`). When Redis does not answer, each replica keeps its own breaker.
 *
 * @example
 * ```ts
 * const storage = new RedisBreakerStateStorage(new Redis({ enableOfflineQueue: false }), 'app:');
 * ```
 */
export class RedisBreakerStateStorage implements BreakerStateStorage {
  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
  ) {}

  async openUntil(name: string): Promise<number | undefined> {
    if (this.client.status !== 'ready') return undefined;
    try {
      const raw = await this.client.get(this.key(name));
      const until = raw === null ? NaN : Number(raw);
      return until > Date.now() ? until : undefined;
    } catch {
      return undefined;
    }
  }

  async open(name: string, untilMs: number): Promise<void> {
    const ttl = Math.ceil(untilMs - Date.now());
    if (this.client.status !== 'ready' || ttl <= 0) return;
    await this.client.set(this.key(name), String(untilMs), 'PX', ttl).catch(() => undefined);
  }

  async close(name: string): Promise<void> {
    if (this.client.status !== 'ready') return;
    await this.client.del(this.key(name)).catch(() => undefined);
  }

  private key(name: string): string {
    return `${this.keyPrefix}cb:${name}`;
  }
}
