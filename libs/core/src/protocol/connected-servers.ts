import type { Server, ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import type { ProtocolEra } from '../context/mcp-context';
import type { RegistryChange } from '../registry/registry.interfaces';
import { deliveryIdOf, runDelivery } from '../state/server-channel';

/** The change event of each kind of list change. */
export const LIST_CHANGED_EVENTS = {
  tools: { kind: 'tools_list_changed' },
  prompts: { kind: 'prompts_list_changed' },
  resources: { kind: 'resources_list_changed' },
} as const satisfies Record<RegistryChange, ServerEvent>;

/** What the owner of a connection hears about it: a shared 2025 session records it in its store. */
export interface ConnectionHooks {
  /** The client subscribed to (`true`) or unsubscribed from (`false`) a resource. */
  onSubscription?(uri: string, subscribed: boolean): void;
}

/** One long-lived SDK server and the resource URIs its client subscribed to (2025-11-25). */
interface Connection {
  era: ProtocolEra;
  resources: Set<string>;
  hooks?: ConnectionHooks;
}

/**
 * The long-lived SDK servers of one Rampart server: 2025-11-25 HTTP sessions and stdio or
 * in-memory connections of either era. Change events published on the bus fan out to them:
 * list changes to every connection; a resource update to the 2025 connections that subscribed
 * to its URI with `resources/subscribe`, and to 2026-07-28 connections, whose SDK listen router
 * delivers it only to `subscriptions/listen` streams that asked for the URI.
 *
 * Per-request 2026-07-28 HTTP servers are never added: their `subscriptions/listen` streams
 * subscribe to the bus directly.
 *
 * Each delivery runs under the event's delivery id ({@link runDelivery}), so that a 2025 session
 * held by several replicas stores the change once in the shared event store.
 */
export class ConnectedServers {
  private readonly connections = new Map<Server, Connection>();
  private readonly unsubscribe: () => void;

  constructor(bus: ServerEventBus) {
    this.unsubscribe = bus.subscribe((event) => this.deliver(event));
  }

  /** Number of connections. */
  get size(): number {
    return this.connections.size;
  }

  /** Adds a connection; it is removed when the server closes. */
  add(server: Server, era: ProtocolEra, hooks?: ConnectionHooks): void {
    this.connections.set(server, { era, resources: new Set(), hooks });
    const previous = server.onclose;
    server.onclose = () => {
      this.connections.delete(server);
      previous?.();
    };
  }

  /** Records a 2025-11-25 `resources/subscribe`; ignored for servers that are not connections. */
  subscribe(server: Server, uri: string): void {
    const connection = this.connections.get(server);
    if (!connection || connection.resources.has(uri)) return;
    connection.resources.add(uri);
    connection.hooks?.onSubscription?.(uri, true);
  }

  /** Records a 2025-11-25 `resources/unsubscribe`. */
  unsubscribeResource(server: Server, uri: string): void {
    const connection = this.connections.get(server);
    if (!connection?.resources.delete(uri)) return;
    connection.hooks?.onSubscription?.(uri, false);
  }

  /**
   * Replaces the subscriptions of a connection with those another replica recorded, without
   * calling its hooks.
   */
  setSubscriptions(server: Server, uris: Iterable<string>): void {
    const connection = this.connections.get(server);
    if (connection) connection.resources = new Set(uris);
  }

  /** How many URIs `server`'s client is subscribed to. */
  subscriptionCount(server: Server): number {
    return this.connections.get(server)?.resources.size ?? 0;
  }

  /** Whether `server`'s client subscribed to `uri`. */
  isSubscribed(server: Server, uri: string): boolean {
    return this.connections.get(server)?.resources.has(uri) ?? false;
  }

  /** Stops listening to the bus and forgets every connection (they are closed by their owners). */
  close(): void {
    this.unsubscribe();
    this.connections.clear();
  }

  private deliver(event: ServerEvent): void {
    const id = deliveryIdOf(event);
    for (const [server, connection] of this.connections)
      runDelivery(id, () => this.send(server, connection, event));
  }

  private send(server: Server, connection: Connection, event: ServerEvent): void {
    let sent: Promise<void> | undefined;
    switch (event.kind) {
      case 'tools_list_changed':
        sent = server.sendToolListChanged();
        break;
      case 'prompts_list_changed':
        sent = server.sendPromptListChanged();
        break;
      case 'resources_list_changed':
        sent = server.sendResourceListChanged();
        break;
      case 'resource_updated':
        if (connection.era === 'modern' || connection.resources.has(event.uri))
          sent = server.sendResourceUpdated({ uri: event.uri });
        break;
    }
    // A connection that is going away must not stop delivery to the others.
    sent?.catch(() => undefined);
  }
}
