import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import type { Transport } from '@modelcontextprotocol/server';
import { serveStdio, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import { assertToolName } from './decorators/tool.decorator';
import { executionProblem, versioningProblem } from './decorators/versioning.util';
import { McpExplorer } from './discovery/mcp-explorer.service';
import { McpDefinitionError } from './errors/mcp-definition.error';
import { INVALID_DYNAMIC_OPTION } from './errors/messages.constant';
import type { McpContext, McpTransportKind } from './context/mcp-context';
import type { McpDispatcher } from './dispatch/mcp-dispatcher';
import type { McpModuleOptions } from './interfaces/mcp-module-options.interface';
import type {
  PromptOptions,
  ResourceOptions,
  ToolOptions,
} from './interfaces/primitive-options.interface';
import type { RegistryChange } from './registry/registry.interfaces';
import {
  DEFAULT_HTTP_PATH,
  LEGACY_PROTOCOL_VERSION,
  MODERN_PROTOCOL_VERSION,
} from './mcp.constants';
import { MCP_MODULE_OPTIONS } from './mcp.module-definition';
import { McpServers } from './mcp-servers.service';
import { LIST_CHANGED_EVENTS } from './protocol/connected-servers';
import { RequestHooks } from './hooks/request-hooks';
import { McpServerFactory } from './protocol/mcp-server-factory';
import { McpRegistry } from './registry/mcp-registry';
import { McpState } from './state/mcp-state';
import { mountStreamableHttp } from './transports/http/http-mount';
import { clientOf, StreamableHttpHandler } from './transports/http/streamable-http.handler';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';

/** A tool added at run time. It runs through the app's global guards, interceptors, pipes and filters. */
export interface DynamicToolDefinition extends Omit<ToolOptions, 'server' | 'name'> {
  name: string;
  handler: (args: any, ctx: McpContext) => unknown;
}

/** A fixed resource added at run time. */
export interface DynamicResourceDefinition extends Omit<ResourceOptions, 'server' | 'name'> {
  name: string;
  /** Returns the content, as a `@Resource()` method does. */
  handler: (args: Record<string, never>, ctx: McpContext) => unknown;
}

/** A prompt added at run time; `arguments` is a class-validator DTO. */
export interface DynamicPromptDefinition extends Omit<PromptOptions, 'server' | 'name'> {
  name: string;
  /** Returns the messages, as a `@Prompt()` method does. */
  handler: (args: any, ctx: McpContext) => unknown;
}

/** Runs a dynamic primitive's function as a method, so Nest's pipeline can wrap it. */
class DynamicHandler {
  constructor(private readonly fn: (args: any, ctx: McpContext) => unknown) {}
  run(args: unknown, ctx: McpContext): unknown {
    return this.fn(args, ctx);
  }
}

/**
 * One Rampart MCP server: its registry, filled by discovery at boot, and its transports
 * (Streamable HTTP on the app's adapter, stdio, or any SDK transport through {@link connect}).
 */
@Injectable()
export class McpServerHost implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger: Logger;
  readonly registry: McpRegistry;
  private factory?: McpServerFactory;
  private http?: StreamableHttpHandler;
  private readonly connections: StdioServerHandle[] = [];

  constructor(
    @Inject(MCP_MODULE_OPTIONS) private readonly options: McpModuleOptions,
    private readonly explorer: McpExplorer,
    private readonly adapterHost: HttpAdapterHost,
    private readonly appConfig: ApplicationConfig,
    private readonly servers: McpServers,
    private readonly state: McpState,
  ) {
    assertModuleOptions(options);
    this.logger = new Logger(`Mcp:${options.name}`);
    this.registry = new McpRegistry(options.name);
  }

  /** Name of the server. */
  get name(): string {
    return this.options.name;
  }

  /**
   * The server's dispatcher: the semantics of every MCP method, which each transport serves. A
   * library that runs a call detached from any request (a task's run) hands its
   * {@link McpCall} here. Available once the module has initialised.
   */
  get dispatcher(): McpDispatcher {
    return this.requireFactory().dispatcher;
  }

  /** The full HTTP path of the endpoint, with the global prefix, or `undefined` without HTTP. */
  get httpPath(): string | undefined {
    if (this.options.http === false) return undefined;
    const prefix = this.appConfig.getGlobalPrefix().replace(/^\/+|\/+$/g, '');
    const path = (this.options.http?.path ?? DEFAULT_HTTP_PATH).replace(/^\/+/, '');
    return `/${prefix ? `${prefix}/` : ''}${path}`;
  }

  onModuleInit(): void {
    this.servers.register(this);
    this.explorer.explore(this.registry);
    this.factory = new McpServerFactory(
      this.options,
      this.registry,
      new RequestHooks(this.explorer.hooks(this.options.name)),
      this.state.channel.events,
      this.explorer.extensions(this.options.name),
    );
    const adapter = this.adapterHost.httpAdapter;
    if (this.options.http !== false && adapter) {
      this.http = new StreamableHttpHandler(
        this.factory,
        this.options,
        this.options.http ?? {},
        () => isLoopback(adapter.getHttpServer()?.address?.() as AddressInfo | string | null),
        this.state,
      );
      mountStreamableHttp(adapter, this.httpPath!, this.http);
      this.logger.log(
        `Streamable HTTP on ${this.httpPath} (${MODERN_PROTOCOL_VERSION} and ${LEGACY_PROTOCOL_VERSION})`,
      );
    }
  }

  onApplicationBootstrap(): void {
    if (this.options.stdio) {
      this.connect();
      this.logger.log('Serving on stdio');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.servers.unregister(this);
    await Promise.allSettled([this.http?.close(), ...this.connections.map((c) => c.close())]);
    this.factory?.close();
    await this.state.close();
  }

  /**
   * Serves one connection on an SDK transport: stdio by default, or e.g. an `InMemoryTransport`
   * in tests. The connection's first message decides the era (`initialize` for 2025-11-25, a
   * per-request envelope for 2026-07-28).
   */
  connect(
    transport?: Transport,
    kind: McpTransportKind = transport ? 'memory' : 'stdio',
  ): StdioServerHandle {
    const factory = this.requireFactory();
    const handle = serveStdio(
      ({ era }) => {
        const server = factory.create((ctx, s) => ({ transport: kind, era, ...clientOf(ctx, s) }));
        // A connection lives as long as its transport: change notifications reach it.
        factory.connections.add(server, era);
        return server;
      },
      { transport, onerror: (e) => this.logger.warn(`Connection error: ${e.message}`) },
    );
    this.connections.push(handle);
    return handle;
  }

  /** Adds a tool at run time; connected clients get `notifications/tools/list_changed`. */
  addTool(definition: DynamicToolDefinition): void {
    assertToolName(definition.name, `dynamic tool "${definition.name}"`);
    assertVersioning('tool', definition.name, definition);
    const execution = executionProblem(definition.execution);
    if (execution)
      throw new McpDefinitionError(INVALID_DYNAMIC_OPTION('tool', definition.name, execution));
    const { handler, ...options } = definition;
    this.explorer.addDynamicTool(this.registry, options, new DynamicHandler(handler));
  }

  /**
   * Tells clients that a list changed when the change is not one the registry sees (adding or
   * removing a tool, resource or prompt notifies by itself), e.g. when what a list shows
   * depends on a feature flag. 2025-11-25 sessions and stdio connections get
   * `notifications/<kind>/list_changed`; 2026-07-28 clients get it on the
   * `subscriptions/listen` streams that asked for it.
   *
   * @example
   * ```ts
   * this.flags.onChange(() => this.host.notifyListChanged('tools'));
   * ```
   */
  notifyListChanged(kind: RegistryChange): void {
    this.requireFactory().events.publish(LIST_CHANGED_EVENTS[kind]);
  }

  /**
   * Tells the clients that subscribed to a resource that it changed
   * (`notifications/resources/updated`): 2025-11-25 clients that called `resources/subscribe`
   * for `uri`, and 2026-07-28 `subscriptions/listen` streams whose `resourceSubscriptions`
   * name it. Clients then read it again.
   *
   * @example
   * ```ts
   * await this.config.save(next);
   * this.host.notifyResourceUpdated('config://app');
   * ```
   */
  notifyResourceUpdated(uri: string): void {
    this.requireFactory().events.publish({ kind: 'resource_updated', uri });
  }

  /** Removes a tool; returns whether it existed. */
  removeTool(name: string): boolean {
    return this.registry.removeTool(name);
  }

  /** Adds a fixed resource at run time; clients get `notifications/resources/list_changed`. */
  addResource(definition: DynamicResourceDefinition): void {
    assertVersioning('resource', definition.uri, definition);
    const { handler, ...options } = definition;
    this.explorer.addDynamicResource(this.registry, options, new DynamicHandler(handler));
  }

  /** Removes a fixed resource; returns whether it existed. */
  removeResource(uri: string): boolean {
    return this.registry.removeResource(uri);
  }

  /** Adds a prompt at run time; clients get `notifications/prompts/list_changed`. */
  addPrompt(definition: DynamicPromptDefinition): void {
    assertVersioning('prompt', definition.name, definition);
    const { handler, ...options } = definition;
    this.explorer.addDynamicPrompt(this.registry, options, new DynamicHandler(handler));
  }

  /** Removes a prompt; returns whether it existed. */
  removePrompt(name: string): boolean {
    return this.registry.removePrompt(name);
  }

  private requireFactory(): McpServerFactory {
    if (!this.factory)
      throw new Error(`MCP server "${this.name}" is not initialised yet: call it after app.init()`);
    return this.factory;
  }
}

/** Refuses a primitive added at run time whose `version`, `deprecated` or `_meta` is invalid. */
function assertVersioning(
  kind: string,
  name: string,
  options: Parameters<typeof versioningProblem>[0],
): void {
  const problem = versioningProblem(options);
  if (problem) throw new McpDefinitionError(INVALID_DYNAMIC_OPTION(kind, name, problem));
}

/** Fails the boot on options that cannot work, naming the option. */
function assertModuleOptions(options: McpModuleOptions): void {
  const problems: string[] = [];
  if (typeof options?.name !== 'string' || !options.name.trim())
    problems.push('"name" must be a non-empty string');
  if (typeof options?.version !== 'string' || !options.version.trim())
    problems.push('"version" must be a non-empty string');
  if (
    options?.pageSize !== undefined &&
    !(Number.isInteger(options.pageSize) && options.pageSize > 0)
  )
    problems.push('"pageSize" must be a positive integer');
  const discovery = options?.discovery;
  if (discovery !== undefined) {
    if (discovery?.mode !== 'list' && discovery?.mode !== 'progressive')
      problems.push("\"discovery.mode\" must be 'list' or 'progressive'");
    if (discovery?.tagsOf !== undefined && typeof discovery.tagsOf !== 'function')
      problems.push('"discovery.tagsOf" must be a function');
    for (const key of ['defaultLimit', 'maxLimit'] as const) {
      const value = discovery?.[key];
      if (value !== undefined && !(Number.isInteger(value) && value > 0))
        problems.push(`"discovery.${key}" must be a positive integer`);
    }
  }
  const http = options?.http;
  if (http && http.path !== undefined && (typeof http.path !== 'string' || !http.path.trim()))
    problems.push('"http.path" must be a non-empty string');
  if (
    http &&
    http.maxBodyBytes !== undefined &&
    !(Number.isInteger(http.maxBodyBytes) && http.maxBodyBytes > 0)
  )
    problems.push('"http.maxBodyBytes" must be a positive integer');
  if (http) {
    const positive = [
      'sessionIdleTtlMs',
      'maxSessions',
      'maxSessionsPerClient',
      'maxListenStreams',
      'maxListenStreamsPerClient',
      'capacityRetryAfterMs',
    ] as const;
    for (const key of positive) {
      const value = http[key];
      if (value !== undefined && !(Number.isInteger(value) && value > 0))
        problems.push(`"http.${key}" must be a positive integer`);
    }
    const pairs = [
      ['maxSessionsPerClient', 'maxSessions'],
      ['maxListenStreamsPerClient', 'maxListenStreams'],
    ] as const;
    for (const [perClient, overall] of pairs) {
      const a = http[perClient];
      const b = http[overall];
      if (Number.isInteger(a) && Number.isInteger(b) && a! > b!)
        problems.push(`"http.${perClient}" (${a}) must not exceed "http.${overall}" (${b})`);
    }
    if (http.clientKey !== undefined && typeof http.clientKey !== 'function')
      problems.push('"http.clientKey" must be a function');
  }
  if (problems.length)
    throw new McpDefinitionError(
      `Invalid McpModule options${options?.name ? ` for "${options.name}"` : ''}: ${problems.join('; ')}`,
    );
}

function isLoopback(address: AddressInfo | string | null | undefined): boolean {
  if (!address || typeof address === 'string') return false;
  const ip = address.address;
  return isIP(ip) !== 0 && (ip.startsWith('127.') || ip === '::1' || ip === '::ffff:127.0.0.1');
}
