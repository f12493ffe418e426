import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { loadPackage, type RedisClientLike } from '@rampart/core';
import type { TasksModuleOptions } from '../interfaces/tasks-module-options.interface';

/**
 * The module's Redis connection for the task store: created from `storage.redis` when it is a
 * URL (and closed on shutdown), or the client the user passed (never closed here); absent with
 * memory storage. ioredis is loaded only here.
 */
export class TasksRedis implements OnApplicationShutdown {
  readonly client?: RedisClientLike;
  /** The URL the connection was made from, when there was one (BullMQ's default). */
  readonly url?: string;
  readonly keyPrefix: string;
  private readonly owned: boolean;

  constructor(options: TasksModuleOptions) {
    const storage = options.storage as { redis?: unknown; keyPrefix?: string } | undefined;
    this.keyPrefix = storage?.keyPrefix || 'rampart:tasks:';
    const redis = storage && 'redis' in storage ? storage.redis : undefined;
    if (typeof redis === 'string') {
      const { Redis } = loadPackage<typeof import('ioredis')>(
        'ioredis',
        'Tasks in Redis (TasksModule `storage.redis`)',
      );
      const client = new Redis(redis, { commandTimeout: 2_000, maxRetriesPerRequest: 2 });
      const logger = new Logger('TasksRedis');
      client.on('error', (e: Error) => logger.warn(`Redis unavailable: ${e.message}`));
      this.client = client as unknown as RedisClientLike;
      this.url = redis;
      this.owned = true;
    } else {
      this.client = redis as RedisClientLike | undefined;
      this.owned = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.owned) await this.client?.quit().catch(() => this.client?.disconnect());
  }
}
