import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createRedisClient } from '@rampart/core';
import type { ResilienceRedisClient } from '../interfaces/resilience-redis-client.interface';
import { REDIS_CLIENT_WITHOUT_SOCKET_TIMEOUT } from '../errors/messages.constant';
import type { ResilienceModuleOptions } from '../interfaces/resilience-module-options.interface';
import { validateStorage } from '../policies/policy-validation';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './command-deadline';

/**
 * The module's Redis connection: created from a URL (and closed on shutdown) or the client the
 * user passed (never closed here); absent with memory storage. Validates the `storage` option
 * before creating anything.
 *
 * A client created from a URL gives up on a command after `commandTimeoutMs`
 * (`commandTimeout`), and drops a connection that has not answered for that long
 * (`socketTimeout`), so that a Redis that stops answering without closing its connection is
 * down: later calls fall back at once while it reconnects. A client of the user's keeps its own
 * settings; a warning at boot says when it has no `socketTimeout`. Either way the storages bound
 * each command by `commandTimeoutMs` themselves.
 *
 * @example
 * ```ts
 * const { client, keyPrefix, commandTimeoutMs } = app.get(ResilienceRedis);
 * ```
 */
export class ResilienceRedis implements OnModuleInit, OnApplicationShutdown {
  readonly client?: ResilienceRedisClient;
  readonly keyPrefix: string;
  /** Longest wait for Redis on one storage command, in milliseconds. */
  readonly commandTimeoutMs: number;
  private readonly owned: boolean;

  constructor(options: ResilienceModuleOptions) {
    validateStorage(options.storage);
    const storage = options.storage;
    const redis = typeof storage === 'object' ? storage : undefined;
    this.keyPrefix = redis?.keyPrefix || 'rampart:';
    this.commandTimeoutMs = redis?.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const logger = new Logger('ResilienceRedis');
    if (redis?.redis === undefined || redis.redis === '') {
      this.owned = false;
      return;
    }
    if (typeof redis.redis === 'string') {
      let down = false;
      // ioredis is loaded only when the storage is Redis: memory storage needs no package.
      this.client = createRedisClient<ResilienceRedisClient>(redis.redis, {
        commandTimeoutMs: this.commandTimeoutMs,
        feature: 'Resilience storage in Redis (ResilienceModule `storage.redis`)',
        // Fail fast while Redis is down, so that the fallback answers at once.
        ioredis: { enableOfflineQueue: false },
      });
      this.client.on('error', (e: Error) => {
        if (!down) logger.warn(`Redis unavailable: ${e.message}`);
        down = true;
      });
      this.client.on('ready', () => (down = false));
      this.owned = true;
    } else {
      this.client = redis.redis;
      this.owned = false;
      if (this.client.options?.socketTimeout === undefined)
        logger.warn(REDIS_CLIENT_WITHOUT_SOCKET_TIMEOUT(this.commandTimeoutMs));
    }
  }

  /**
   * Waits for the first connection of a client created from a URL, at most `commandTimeoutMs`:
   * the client fails fast while it is not ready, so calls made right after boot would otherwise
   * fall back (insurance or fail-closed) although Redis is up. A Redis that is down at boot does
   * not stop the boot: the wait ends at its first connection error.
   */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!this.owned || !client || client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        client.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, this.commandTimeoutMs);
      client.once('ready', done);
      client.once('error', done);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.owned || !this.client) return;
    await this.client.quit().catch(() => this.client!.disconnect());
  }
}
