import { Logger } from '@nestjs/common';
import type { JSONRPCMessage, ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import type { NotificationBus } from './notification.bus';

/** Bookkeeping of a shared 2025-11-25 session, between the replicas that hold a copy of it. */
export type SessionMessage =
  /** The session's record changed (subscriptions, log level): copies read it again. */
  | { kind: 'session'; from: string; session: string; change: 'changed' | 'closed' }
  /**
   * Messages a client posted to one replica for a copy held by another: answers to the
   * server's requests (to the replica `to` that sent the request) and cancellations (to all).
   */
  | { kind: 'deliver'; from: string; session: string; to?: string; messages: JSONRPCMessage[] };

/** A message between the replicas of one server. */
export type ReplicaMessage =
  { kind: 'event'; from: string; id: string; event: ServerEvent } | SessionMessage;

/** The id of each change event, as it travels from replica to replica. */
const deliveryIds = new WeakMap<ServerEvent, string>();
const delivery = new AsyncLocalStorage<string>();

/** The id the change event was published under (on whichever replica published it). */
export function deliveryIdOf(event: ServerEvent): string | undefined {
  return deliveryIds.get(event);
}

/**
 * Runs `fn` as the delivery of one change event: the event store reads the id back
 * ({@link currentDeliveryId}) to store the change once per session however many replicas
 * deliver it.
 */
export function runDelivery<T>(id: string | undefined, fn: () => T): T {
  return id === undefined ? fn() : delivery.run(id, fn);
}

/** The id of the change event being delivered, inside {@link runDelivery}. */
export function currentDeliveryId(): string | undefined {
  return delivery.getStore();
}

/**
 * The channel of one server across its replicas, over a {@link NotificationBus}. Change events
 * published on any replica reach the listeners of every replica ({@link events}, an SDK
 * `ServerEventBus`: `subscriptions/listen` streams, 2025 sessions, stdio connections): locally
 * at once, remotely through the bus. Session messages reach the other replicas only.
 *
 * @example
 * ```ts
 * const channel = new ServerChannel(new InMemoryNotificationBus(), 'web-scrape');
 * await channel.start();
 * channel.events.subscribe((event) => console.log(event.kind));
 * channel.events.publish({ kind: 'tools_list_changed' });
 * ```
 */
export class ServerChannel {
  /** This replica's id: unique per process and server, sent with every message. */
  readonly replicaId = randomBytes(6).toString('hex');
  /** Change events of the server, over every replica. */
  readonly events: ServerEventBus;
  private readonly logger: Logger;
  private readonly eventListeners = new Set<(event: ServerEvent) => void>();
  private readonly sessionListeners = new Set<(message: SessionMessage) => void>();
  private stop?: () => Promise<void>;
  private closed = false;

  constructor(
    private readonly bus: NotificationBus,
    /** The bus channel: the server's name. */
    private readonly channel: string,
  ) {
    this.logger = new Logger(`Mcp:${channel}:bus`);
    this.events = {
      publish: (event) => this.publishEvent(event),
      subscribe: (listener) => {
        const wrapped = (event: ServerEvent) => listener(event);
        this.eventListeners.add(wrapped);
        return () => void this.eventListeners.delete(wrapped);
      },
    };
  }

  /**
   * Subscribes to the bus. Resolves once subscribed, or after `timeoutMs` with a warning (the
   * subscription completes when the bus comes back; until then this replica hears only itself).
   */
  async start(timeoutMs = 5_000): Promise<void> {
    const subscribed = this.bus
      .subscribe(this.channel, (raw) => this.receive(raw))
      .then(
        async (stop) => {
          if (this.closed) await stop();
          else this.stop = stop;
          return true;
        },
        (e: unknown) => {
          this.logger.warn(`Cannot subscribe to the notification bus: ${String(e)}`);
          return true;
        },
      );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    const done = await Promise.race([subscribed, late]);
    clearTimeout(timer);
    if (!done)
      this.logger.warn(
        `Not subscribed to the notification bus after ${timeoutMs} ms; changes published on other replicas are missed until it answers`,
      );
  }

  /** Sends a session message to the other replicas. */
  publishSession(message: DistributiveOmit<SessionMessage, 'from'>): void {
    this.send({ ...message, from: this.replicaId } as SessionMessage);
  }

  /** Listens to the session messages of the other replicas. */
  onSession(listener: (message: SessionMessage) => void): () => void {
    this.sessionListeners.add(listener);
    return () => void this.sessionListeners.delete(listener);
  }

  /** Unsubscribes from the bus. */
  async close(): Promise<void> {
    this.closed = true;
    this.eventListeners.clear();
    this.sessionListeners.clear();
    await this.stop?.().catch(() => undefined);
  }

  private publishEvent(event: ServerEvent): void {
    const id = randomUUID();
    // A copy: callers publish shared constants, and the id is attached to the object.
    const copy = { ...event };
    deliveryIds.set(copy, id);
    this.deliver(copy);
    this.send({ kind: 'event', from: this.replicaId, id, event });
  }

  private deliver(event: ServerEvent): void {
    for (const listener of this.eventListeners)
      try {
        listener(event);
      } catch (e) {
        this.logger.warn(`A change notification failed: ${(e as Error).message}`);
      }
  }

  private send(message: ReplicaMessage): void {
    if (this.closed) return;
    this.bus
      .publish(this.channel, JSON.stringify(message))
      .catch((e: unknown) =>
        this.logger.warn(`Cannot publish on the notification bus: ${String(e)}`),
      );
  }

  private receive(raw: string): void {
    let message: ReplicaMessage;
    try {
      message = JSON.parse(raw) as ReplicaMessage;
    } catch {
      return this.logger.warn('Ignored a malformed message on the notification bus');
    }
    if (!message || typeof message !== 'object' || message.from === this.replicaId) return;
    if (message.kind === 'event') {
      if (!message.event || typeof message.event.kind !== 'string') return;
      deliveryIds.set(message.event, message.id);
      return this.deliver(message.event);
    }
    if (message.kind !== 'session' && message.kind !== 'deliver') return;
    for (const listener of this.sessionListeners)
      try {
        listener(message);
      } catch (e) {
        this.logger.warn(`A session message failed: ${(e as Error).message}`);
      }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
