import type { ResilienceRedisClient } from '../interfaces/resilience-redis-client.interface';
import type { BreakerStateStorage } from './breaker-state.storage';
import { DEFAULT_COMMAND_TIMEOUT_MS, withDeadline } from './command-deadline';

/**
 * Shared breaker state in Redis: an open breaker is a key holding its `openUntil` (epoch ms),
 * expiring then (`SET … PX`). When Redis does not answer (an error, or no answer within
 * `commandTimeoutMs`), each replica keeps its own breaker: a read answers "not open elsewhere".
 *
 * @example
 * ```ts
 * const redis = new Redis({ enableOfflineQueue: false, socketTimeout: 1_000 });
 * const storage = new RedisBreakerStateStorage(redis, 'app:', 1_000);
 * ```
 */
export class RedisBreakerStateStorage implements BreakerStateStorage {
  constructor(
    private readonly client: ResilienceRedisClient,
    private readonly keyPrefix: string,
    /** Longest wait for one command, in milliseconds. */
    private readonly commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ) {}

  async openUntil(name: string): Promise<number | undefined> {
    if (this.client.status !== 'ready') return undefined;
    try {
      const raw = await withDeadline(this.client.get(this.key(name)), this.commandTimeoutMs);
      const until = raw === null ? NaN : Number(raw);
      return until > Date.now() ? until : undefined;
    } catch {
      return undefined;
    }
  }

  async open(name: string, untilMs: number): Promise<void> {
    const ttl = Math.ceil(untilMs - Date.now());
    if (this.client.status !== 'ready' || ttl <= 0) return;
    await withDeadline(
      this.client.set(this.key(name), String(untilMs), 'PX', ttl),
      this.commandTimeoutMs,
    ).catch(() => undefined);
  }

  async close(name: string): Promise<void> {
    if (this.client.status !== 'ready') return;
    await withDeadline(this.client.del(this.key(name)), this.commandTimeoutMs).catch(
      () => undefined,
    );
  }

  private key(name: string): string {
    return `${this.keyPrefix}cb:${name}`;
  }
}
