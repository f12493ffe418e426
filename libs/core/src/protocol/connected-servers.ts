import type { Server, ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import type { ProtocolEra } from '../context/mcp-context';
import type { RegistryChange } from '../registry/registry.interfaces';

/** The change event of each kind of list change. */
export const LIST_CHANGED_EVENTS = {
  tools: { kind: 'tools_list_changed' },
  prompts: { kind: 'prompts_list_changed' },
  resources: { kind: 'resources_list_changed' },
} as const satisfies Record<RegistryChange, ServerEvent>;

/** One long-lived SDK server and the resource URIs its client subscribed to (2025-11-25). */
interface Connection {
  era: ProtocolEra;
  resources: Set<string>;
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
  add(server: Server, era: ProtocolEra): void {
    this.connections.set(server, { era, resources: new Set() });
    const previous = server.onclose;
    server.onclose = () => {
      this.connections.delete(server);
      previous?.();
    };
  }

  /** Records a 2025-11-25 `resources/subscribe`; ignored for servers that are not connections. */
  subscribe(server: Server, uri: string): void {
    this.connections.get(server)?.resources.add(uri);
  }

  /** Records a 2025-11-25 `resources/unsubscribe`. */
  unsubscribeResource(server: Server, uri: string): void {
    this.connections.get(server)?.resources.delete(uri);
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
    for (const [server, connection] of this.connections) {
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
}
