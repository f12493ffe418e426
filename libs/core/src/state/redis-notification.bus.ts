import { Logger } from '@nestjs/common';
import type { NotificationBus } from './notification.bus';
import {
  DEFAULT_STATE_COMMAND_TIMEOUT_MS,
  withDeadline,
  type RedisClientLike,
} from './redis-client';

/** Options of {@link RedisNotificationBus}. */
export interface RedisNotificationBusOptions {
  /**
   * Prefix of the Redis channels.
   * @default 'rampart:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one command, in milliseconds; past it the command fails as if
   * Redis were down.
   * @default 1000
   */
  commandTimeoutMs?: number;
}

/**
 * A bus over Redis pub/sub, shared by every replica. Publishes on the given client; subscribes on
 * a connection of its own (`client.duplicate()`, opened by the first subscription, closed when
 * the last one ends or by {@link close}), which ioredis subscribes again after a reconnection.
 *
 * @example
 * ```ts
 * const bus = new RedisNotificationBus(new Redis(process.env.REDIS_URL), { keyPrefix: 'web:' });
 * McpModule.forRoot({ name: 'web', version: '1.0.0', state: { bus } });
 * ```
 */
export class RedisNotificationBus implements NotificationBus {
  private readonly logger = new Logger('RedisNotificationBus');
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private subscriber?: RedisClientLike;
  private readonly listeners = new Map<string, Set<(message: string) => void>>();

  constructor(
    private readonly client: RedisClientLike,
    options: RedisNotificationBusOptions = {},
  ) {
    this.prefix = `${options.keyPrefix ?? 'rampart:'}bus:`;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_STATE_COMMAND_TIMEOUT_MS;
  }

  async publish(channel: string, message: string): Promise<void> {
    await withDeadline(
      this.client.publish(this.prefix + channel, message),
      this.timeoutMs,
      'PUBLISH',
    );
  }

  async subscribe(
    channel: string,
    listener: (message: string) => void,
  ): Promise<() => Promise<void>> {
    const subscriber = this.connect();
    const name = this.prefix + channel;
    let listeners = this.listeners.get(name);
    if (!listeners) {
      this.listeners.set(name, (listeners = new Set()));
      await subscriber.subscribe(name);
    }
    const subscription = (message: string) => listener(message);
    listeners.add(subscription);
    return async () => {
      listeners.delete(subscription);
      if (listeners.size > 0 || this.listeners.get(name) !== listeners) return;
      this.listeners.delete(name);
      // The connection lives as long as something listens: the last one out closes it.
      if (this.listeners.size === 0) return this.close();
      if (this.subscriber?.status === 'ready') await this.subscriber.unsubscribe(name);
    };
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.listeners.clear();
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private connect(): RedisClientLike {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.client.duplicate();
    let down = false;
    subscriber.on('error', (e: Error) => {
      if (!down) this.logger.warn(`Redis bus unavailable: ${e.message}`);
      down = true;
    });
    subscriber.on('ready', () => (down = false));
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? [])
        try {
          listener(message);
        } catch (e) {
          this.logger.warn(`A bus listener failed: ${(e as Error).message}`);
        }
    });
    this.subscriber = subscriber;
    return subscriber;
  }
}
