/**
 * Carries messages between the replicas of a server: change notifications (`list_changed`,
 * `resources/updated`) and the bookkeeping of shared 2025-11-25 sessions. Delivery is
 * at-most-once and unordered across publishers, as Redis pub/sub: a replica that is
 * disconnected while a message is published misses it. {@link InMemoryNotificationBus} by
 * default (one process); {@link RedisNotificationBus} for several replicas.
 *
 * @example
 * ```ts
 * const off = await bus.subscribe('web-scrape', (message) => console.log(message));
 * await bus.publish('web-scrape', JSON.stringify({ hello: 'world' }));
 * await off();
 * ```
 */
export interface NotificationBus {
  /** Sends `message` to every subscriber of `channel`, in every process that shares the bus. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` with each message published on `channel`; resolves with the way to stop. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Releases the connections the bus owns. */
  close?(): Promise<void>;
}

/** Injection token of the {@link NotificationBus} of an `McpModule`. */
export const NotificationBus = Symbol.for('rampart:NotificationBus');
