import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';

/**
 * The module's Redis connection: created from a URL (and closed on shutdown) or the client the
 * user passed (never closed here); absent with memory storage.
 *
 * @example
 * ```ts
 * const { client, keyPrefix } = app.get(ResilienceRedis);
 * ```
 */
export class ResilienceRedis implements OnApplicationShutdown {
  readonly client?: Redis;
  readonly keyPrefix: string;
  private readonly owned: boolean;

  constructor(options: ResilienceModuleOptions) {
    const storage = options.storage;
    this.keyPrefix = (typeof storage === 'object' && storage.keyPrefix) || 'rampart:';
    if (typeof storage !== 'object' || storage.redis === undefined || storage.redis === '') {
      this.owned = false;
      return;
    }
    if (typeof storage.redis === 'string') {
      const logger = new Logger('ResilienceRedis');
      let down = false;
      this.client = new Redis(storage.redis, {
        // Fail fast while Redis is down, so that the fallback answers at once.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(times * 200, 2_000),
      });
      this.client.on('error', (e: Error) => {
        if (!down) logger.warn(`Redis unavailable: ${e.message}`);
        down = true;
      });
      this.client.on('ready', () => (down = false));
      this.owned = true;
    } else {
      this.client = storage.redis;
      this.owned = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.owned || !this.client) return;
    await this.client.quit().catch(() => this.client!.disconnect());
  }
}
