import type { NotificationBus } from './notification.bus';

/**
 * A bus inside one process (the default). Messages are delivered asynchronously, as over a
 * network bus. One instance shared by two apps in a test connects them as two replicas.
 *
 * @example
 * ```ts
 * const bus = new InMemoryNotificationBus();
 * const a = McpModule.forRoot({ name: 'web', version: '1.0.0', state: { bus, sessions, events } });
 * ```
 */
export class InMemoryNotificationBus implements NotificationBus {
  private readonly channels = new Map<string, Set<(message: string) => void>>();

  async publish(channel: string, message: string): Promise<void> {
    const listeners = this.channels.get(channel);
    if (!listeners) return;
    for (const listener of listeners)
      queueMicrotask(() => {
        // A failing listener must not stop delivery to the others.
        try {
          listener(message);
        } catch {
          /* the listener reports its own failures */
        }
      });
  }

  async subscribe(
    channel: string,
    listener: (message: string) => void,
  ): Promise<() => Promise<void>> {
    let listeners = this.channels.get(channel);
    if (!listeners) this.channels.set(channel, (listeners = new Set()));
    // Wrapped: the same function subscribed twice is two subscriptions.
    const subscription = (message: string) => listener(message);
    listeners.add(subscription);
    return async () => {
      listeners.delete(subscription);
      if (listeners.size === 0 && this.channels.get(channel) === listeners)
        this.channels.delete(channel);
    };
  }
}
