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
  /** Each channel's `SUBSCRIBE`, settled once Redis confirmed it (or the bus closed). */
  private readonly confirmed = new Map<string, Promise<void>>();

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

  /**
   * Resolves once Redis has confirmed the subscription. A `SUBSCRIBE` that fails or times out (a
   * Redis down or slow to answer while the replica starts) is sent again, every 100 ms to 2 s,
   * until Redis confirms it or the bus closes: ioredis subscribes again after a reconnection only
   * to channels Redis had confirmed, so a replica whose first `SUBSCRIBE` failed would otherwise
   * never hear the others.
   */
  async subscribe(
    channel: string,
    listener: (message: string) => void,
  ): Promise<() => Promise<void>> {
    const subscriber = this.connect();
    const name = this.prefix + channel;
    let listeners = this.listeners.get(name);
    if (!listeners) this.listeners.set(name, (listeners = new Set()));
    const subscription = (message: string) => listener(message);
    listeners.add(subscription);
    let confirmed = this.confirmed.get(name);
    if (!confirmed)
      this.confirmed.set(name, (confirmed = this.subscribeUntilConfirmed(subscriber, name)));
    try {
      await confirmed;
    } catch (e) {
      listeners.delete(subscription);
      throw e;
    }
    return async () => {
      listeners.delete(subscription);
      if (listeners.size > 0 || this.listeners.get(name) !== listeners) return;
      this.listeners.delete(name);
      this.confirmed.delete(name);
      // The connection lives as long as something listens: the last one out closes it.
      if (this.listeners.size === 0) return this.close();
      if (this.subscriber?.status === 'ready') await this.subscriber.unsubscribe(name);
    };
  }

  private async subscribeUntilConfirmed(subscriber: RedisClientLike, name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await subscriber.subscribe(name);
        return;
      } catch (e) {
        if (attempt === 0)
          this.logger.warn(
            `Cannot subscribe to ${name} yet (${(e as Error).message}); trying again until Redis answers`,
          );
      }
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)).unref(),
      );
      if (this.subscriber !== subscriber) throw new Error('The notification bus was closed');
    }
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.listeners.clear();
    this.confirmed.clear();
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
