import { Logger } from '@nestjs/common';
import {
  InMemoryServerEventBus,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type Implementation,
  type ServerCapabilities,
  type ServerContext,
  type ServerEventBus,
  type ServerOptions,
} from '@modelcontextprotocol/server';
import type { McpCallOrigin } from '../context/mcp-context';
import { createMcpCall, type McpCall } from '../dispatch/mcp-call.interface';
import {
  DISPATCHED_METHODS,
  LIST_METHODS,
  McpDispatcher,
  isListMethod,
} from '../dispatch/mcp-dispatcher';
import { isMcpProtocolError } from '../errors/mcp-protocol.error';
import type { McpProtocolExtension } from '../extensions/mcp-extension.interface';
import { RequestHooks } from '../hooks/request-hooks';
import type { McpModuleOptions } from '../interfaces/mcp-module-options.interface';
import { LEGACY_PROTOCOL_VERSION, MODERN_PROTOCOL_VERSION } from '../mcp.constants';
import type { McpRegistry } from '../registry/mcp-registry';
import { ConnectedServers, LIST_CHANGED_EVENTS } from './connected-servers';

/** Protocol revisions served, newest first. */
export const SUPPORTED_VERSIONS = [
  MODERN_PROTOCOL_VERSION,
  LEGACY_PROTOCOL_VERSION,
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
];

/** A Standard Schema that accepts any params object as it is. */
const PASS_THROUGH = {
  '~standard': {
    version: 1,
    vendor: 'rampart',
    validate: (value: unknown) => ({ value: value as Record<string, unknown> }),
  },
} as const;

/** Resolves the transport-side facts of a call from the SDK context. */
export type OriginResolver = (ctx: ServerContext, server: Server) => McpCallOrigin;

/**
 * The SDK side of one Rampart server: SDK `Server`s (2025-11-25 sessions, stdio and in-memory
 * connections) whose request handlers decode the SDK's context into an {@link McpCall} and hand
 * it to the server's one {@link McpDispatcher}. This file is the only place where an SDK request
 * becomes Rampart's and where Rampart's protocol errors become the SDK's.
 */
export class McpServerFactory {
  private readonly logger: Logger;
  /** The semantics of every method, shared with the 2026-07-28 HTTP exchange. */
  readonly dispatcher: McpDispatcher;
  /** The options of every SDK `Server` this factory creates, built once. */
  private readonly serverOptions: ServerOptions;
  /**
   * Change events of this server (list changes, resource updates). Registry changes are
   * published here; 2026-07-28 `subscriptions/listen` streams and long-lived connections
   * subscribe to it.
   */
  readonly events: ServerEventBus;
  /** The long-lived servers (2025 sessions, stdio and in-memory connections) events reach. */
  readonly connections: ConnectedServers;
  private readonly stopWatchingRegistry: () => void;

  constructor(
    private readonly options: McpModuleOptions,
    readonly registry: McpRegistry,
    /** The server's request hooks (`@McpHook()` providers), composed once. */
    readonly hooks: RequestHooks = new RequestHooks([]),
    /** Where change events travel: the replica channel's bus, or one of this process. */
    events?: ServerEventBus,
    /** The server's protocol extensions (`@McpExtension()` providers). */
    extensions: readonly McpProtocolExtension[] = [],
  ) {
    this.logger = new Logger(`Mcp:${options.name}`);
    this.dispatcher = new McpDispatcher(options, registry, hooks, extensions);
    this.serverOptions = {
      capabilities: this.dispatcher.capabilities,
      instructions: options.instructions,
      supportedProtocolVersions: SUPPORTED_VERSIONS,
      // No `requestState.verify`: the dispatcher verifies the echoed state on every transport.
      cacheHints: Object.fromEntries(
        LIST_METHODS.map((method) => [method, this.dispatcher.listCacheHint]),
      ),
    };
    this.events =
      events ??
      new InMemoryServerEventBus((e) =>
        this.logger.warn(`A change notification failed: ${e.message}`),
      );
    this.connections = new ConnectedServers(this.events);
    this.stopWatchingRegistry = registry.onChange((change) =>
      this.events.publish(LIST_CHANGED_EVENTS[change]),
    );
  }

  /** Stops publishing registry changes and forgets the connections. */
  close(): void {
    this.stopWatchingRegistry();
    this.connections.close();
  }

  /** Name of the server. */
  get name(): string {
    return this.options.name;
  }

  /** `serverInfo` of the server. */
  get serverInfo(): Implementation {
    return this.dispatcher.serverInfo;
  }

  /** The capabilities the server declares. */
  get capabilities(): ServerCapabilities {
    return this.dispatcher.capabilities;
  }

  /**
   * A new SDK `Server` whose request handlers are the dispatcher. `originOf` tells each call's
   * transport, era and identity.
   */
  create(originOf: OriginResolver): Server {
    const server = new Server(this.serverInfo, this.serverOptions);
    const connections = this.connections;
    const subscriptions: McpCall['subscriptions'] = {
      subscribe: (uri) => connections.subscribe(server, uri),
      unsubscribe: (uri) => connections.unsubscribeResource(server, uri),
      has: (uri) => connections.isSubscribed(server, uri),
      get size() {
        return connections.subscriptionCount(server);
      },
    };
    for (const method of DISPATCHED_METHODS)
      server.setRequestHandler(method as 'tools/call', (request, ctx) =>
        this.serve(method, request, ctx, originOf(ctx, server), subscriptions),
      );
    // Extensions' methods: the dispatcher checks params and eras itself, so the SDK's schema
    // step passes them through (a method such as `tasks/get` has no wire schema in every era).
    for (const method of this.dispatcher.addedMethods)
      server.setRequestHandler(method, { params: PASS_THROUGH }, (params, ctx) =>
        this.serve(
          method,
          { params: params as Record<string, unknown> },
          ctx,
          originOf(ctx, server),
          subscriptions,
        ),
      );
    // `server/discover` (2026-07-28 on stdio) declares the modern capabilities, which differ
    // from `initialize`'s when an extension adds some for one era only.
    if (this.dispatcher.modernCapabilities !== this.dispatcher.capabilities)
      server.setRequestHandler('server/discover', () => this.dispatcher.discover() as never);
    return server;
  }

  private async serve(
    method: string,
    request: { params?: Record<string, unknown> },
    ctx: ServerContext,
    origin: McpCallOrigin,
    subscriptions: McpCall['subscriptions'],
  ): Promise<never> {
    const req = ctx.mcpReq;
    const call = createMcpCall({
      server: this.options.name,
      id: req.id,
      method,
      params: request.params ?? {},
      meta: req._meta as Record<string, unknown> | undefined,
      envelope: req.envelope as Record<string, unknown> | undefined,
      origin,
      signal: req.signal,
      sessionId: ctx.sessionId,
      inputResponses: req.inputResponses as Record<string, unknown> | undefined,
      requestState: req.requestState(),
      notify: (n) => req.notify(n as Parameters<typeof req.notify>[0]),
      log: (level, data, logger) => req.log(level, data, logger),
      send: (r) => req.send(r as never),
      subscriptions,
    });
    try {
      const result = await this.dispatcher.dispatch(call);
      // List pages are shared objects: the SDK gets its own copy to stamp.
      return (isListMethod(method) ? { ...result } : result) as never;
    } catch (error) {
      throw this.toSdkError(error, method);
    }
  }

  /** Rampart's protocol error as the SDK's; anything else is masked as an internal error. */
  private toSdkError(error: unknown, method: string): ProtocolError {
    if (isMcpProtocolError(error)) return new ProtocolError(error.code, error.message, error.data);
    this.logger.error(
      `${method} failed unexpectedly`,
      error instanceof Error ? error.stack : String(error),
    );
    return new ProtocolError(ProtocolErrorCode.InternalError, 'Internal error');
  }
}
