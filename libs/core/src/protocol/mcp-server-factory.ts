import { Logger } from '@nestjs/common';
import {
  createRequestStateCodec,
  InMemoryServerEventBus,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  Server,
  type CallToolResult,
  type Implementation,
  type RequestStateCodec,
  type ServerCapabilities,
  type ServerContext,
  type ServerEventBus,
  type ServerOptions,
} from '@modelcontextprotocol/server';
import { randomBytes } from 'node:crypto';
import { isInputRequiredSignal } from '../context/input-required.signal';
import { McpContext, type McpCallOrigin, type RoundState } from '../context/mcp-context';
import { mcpRequestOf, RequestHooks } from '../hooks/request-hooks';
import type { McpModuleOptions } from '../interfaces/mcp-module-options.interface';
import {
  DEFAULT_PAGE_SIZE,
  LEGACY_PROTOCOL_VERSION,
  MODERN_PROTOCOL_VERSION,
} from '../mcp.constants';
import type { McpRegistry } from '../registry/mcp-registry';
import { ConnectedServers, LIST_CHANGED_EVENTS } from './connected-servers';
import {
  toCallToolResult,
  toCompleteResult,
  toGetPromptResult,
  toProtocolError,
  toReadResourceResult,
  toToolErrorResult,
} from './result-mappers';

/** Cache hint of list results when the module sets none: not cached, per user. */
const DEFAULT_LIST_CACHE_HINT = { ttlMs: 0, cacheScope: 'private' } as const;

/** Protocol revisions served, newest first. */
export const SUPPORTED_VERSIONS = [
  MODERN_PROTOCOL_VERSION,
  LEGACY_PROTOCOL_VERSION,
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
];

type Handler = (
  request: any,
  ctx: ServerContext,
  originOf: (ctx: ServerContext) => McpCallOrigin,
  server: Server,
) => Promise<any>;

/** The list methods, the result field each fills and where its entries come from. */
const LISTS = {
  'tools/list': {
    field: 'tools',
    entries: (r: McpRegistry) => r.tools.list().map((x) => x.definition),
  },
  'resources/list': {
    field: 'resources',
    entries: (r: McpRegistry) => r.resources.list().map((x) => x.definition),
  },
  'resources/templates/list': {
    field: 'resourceTemplates',
    entries: (r: McpRegistry) => r.templates.list().map((x) => x.definition),
  },
  'prompts/list': {
    field: 'prompts',
    entries: (r: McpRegistry) => r.prompts.list().map((x) => x.definition),
  },
} as const;

/** A method that lists tools, resources, templates or prompts. */
export type ListMethod = keyof typeof LISTS;

/** Whether `method` is one of the {@link ListMethod}s. */
export const isListMethod = (method: string): method is ListMethod => Object.hasOwn(LISTS, method);

/** A page of a list, computed once per registry revision. */
interface PageCache {
  revision: number;
  pages: unknown[][];
}

/** Resolves the transport-side facts of a call from the SDK context. */
export type OriginResolver = (ctx: ServerContext, server: Server) => McpCallOrigin;

/**
 * Builds SDK `Server` instances for one Rampart server. The request handlers are built once
 * here; a per-request (2026-07-28) or per-session (2025-11-25) `Server` only registers them.
 * The SDK brings the protocol rules (eras, envelope, input_required, result stamping); the
 * registry and the Nest pipeline are Rampart's.
 */
export class McpServerFactory {
  private readonly logger: Logger;
  /** `serverInfo` of every server of this factory. */
  readonly serverInfo: Implementation;
  /** The capabilities every server of this factory declares. */
  readonly capabilities: ServerCapabilities = {
    tools: { listChanged: true },
    resources: { listChanged: true, subscribe: true },
    prompts: { listChanged: true },
    completions: {},
    logging: {},
  };
  private readonly codec: RequestStateCodec<RoundState>;
  private readonly pageSize: number;
  private readonly caches = new Map<string, PageCache>();
  private readonly handlers: [string, Handler][];
  /** The options of every SDK `Server` this factory creates, built once. */
  private readonly serverOptions: ServerOptions;
  /** `ttlMs` / `cacheScope` of list results on 2026-07-28, on both the SDK and the fast path. */
  readonly listCacheHint: { ttlMs: number; cacheScope: 'public' | 'private' };
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
  ) {
    this.logger = new Logger(`Mcp:${options.name}`);
    this.serverInfo = {
      name: options.name,
      version: options.version,
      ...(options.title && { title: options.title }),
      ...(options.icons && { icons: options.icons }),
      ...(options.websiteUrl && { websiteUrl: options.websiteUrl }),
    };
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.codec = createRequestStateCodec<RoundState>({
      key: options.requestStateSecret ?? randomBytes(32),
      bind: (ctx) => ctx.mcpReq.method,
    });
    this.handlers = this.buildHandlers();
    this.listCacheHint = options.listCacheHint ?? DEFAULT_LIST_CACHE_HINT;
    this.serverOptions = {
      capabilities: this.capabilities,
      instructions: options.instructions,
      supportedProtocolVersions: SUPPORTED_VERSIONS,
      requestState: {
        verify: (state: string, ctx: ServerContext) => this.codec.verify(state, ctx),
      },
      cacheHints: Object.fromEntries(
        Object.keys(LISTS).map((method) => [method, this.listCacheHint]),
      ),
    } as ServerOptions;
    this.events = new InMemoryServerEventBus((e) =>
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

  /**
   * A new SDK `Server` wired to this registry. `originOf` tells each call's transport, era and
   * identity.
   */
  create(originOf: OriginResolver): Server {
    const server = new Server(this.serverInfo, this.serverOptions);
    const resolve = (ctx: ServerContext) => originOf(ctx, server);
    for (const [method, handler] of this.handlers)
      server.setRequestHandler(
        method as 'tools/call',
        this.hooks.active
          ? (req, ctx) => this.hooked(method, handler, req, ctx, resolve, server)
          : (req, ctx) => handler(req, ctx, resolve, server),
      );
    return server;
  }

  /**
   * Runs a request through the server's hooks. Over HTTP the endpoint already admitted it; on
   * stdio and in-memory connections admission happens here.
   */
  private hooked(
    method: string,
    handler: Handler,
    req: any,
    ctx: ServerContext,
    resolve: (ctx: ServerContext) => McpCallOrigin,
    server: Server,
  ): Promise<unknown> {
    const origin = resolve(ctx);
    const request = mcpRequestOf(this.options.name, method, ctx.mcpReq.id, req.params, origin);
    return this.hooks.serve(request, origin.transport !== 'http', () =>
      handler(req, ctx, () => origin, server),
    );
  }

  private buildHandlers(): [string, Handler][] {
    const list =
      (method: ListMethod): Handler =>
      async (req) =>
        this.list(method, req.params?.cursor);
    return [
      ['tools/list', list('tools/list')],
      ['tools/call', (req, ctx, o) => this.callTool(req, ctx, o)],
      ['resources/list', list('resources/list')],
      ['resources/templates/list', list('resources/templates/list')],
      ['resources/read', (req, ctx, o) => this.readResource(req, ctx, o)],
      [
        'resources/subscribe',
        async (req, _ctx, _o, server) => {
          this.connections.subscribe(server, req.params.uri);
          return {};
        },
      ],
      [
        'resources/unsubscribe',
        async (req, _ctx, _o, server) => {
          this.connections.unsubscribeResource(server, req.params.uri);
          return {};
        },
      ],
      ['prompts/list', list('prompts/list')],
      ['prompts/get', (req, ctx, o) => this.getPrompt(req, ctx, o)],
      ['completion/complete', (req, ctx, o) => this.complete(req, ctx, o)],
    ];
  }

  /**
   * One page of a list method. The pages are cut once per registry revision, not per request.
   * @internal
   */
  list(method: ListMethod, cursor: unknown): Record<string, unknown> {
    const { field, entries } = LISTS[method];
    const revision = this.registry.revision;
    let cache = this.caches.get(method);
    if (!cache || cache.revision !== revision) {
      const all = entries(this.registry);
      const pages: unknown[][] = [];
      for (let i = 0; i < all.length; i += this.pageSize)
        pages.push(all.slice(i, i + this.pageSize));
      cache = { revision, pages: pages.length ? pages : [[]] };
      this.caches.set(method, cache);
    }
    if (cursor !== undefined && typeof cursor !== 'string')
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid cursor: it must be a string',
      );
    const index = cursor === undefined ? 0 : decodeCursor(cursor, cache.pages.length);
    return {
      [field]: cache.pages[index],
      ...(index + 1 < cache.pages.length && { nextCursor: encodeCursor(index + 1) }),
    };
  }

  private context(
    ctx: ServerContext,
    target: string,
    originOf: (ctx: ServerContext) => McpCallOrigin,
  ): McpContext {
    const origin = originOf(ctx);
    const state = ctx.mcpReq.requestState() as RoundState | undefined;
    return new McpContext(
      ctx,
      origin,
      this.options.name,
      target,
      state && typeof state === 'object' ? state : undefined,
    );
  }

  /** @internal Runs `tools/call`; shared by the SDK handler and the 2026 fast path. */
  async callTool(
    req: any,
    sdkCtx: ServerContext,
    originOf: (ctx: ServerContext) => McpCallOrigin,
  ): Promise<CallToolResult | Record<string, unknown>> {
    const name = req.params.name as string;
    const tool = this.registry.tools.get(name);
    if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const ctx = this.context(sdkCtx, name, originOf);
    try {
      return await toCallToolResult(
        await tool.invoke((req.params.arguments ?? {}) as Record<string, unknown>, ctx),
        tool,
      );
    } catch (error) {
      if (isInputRequiredSignal(error)) return this.inputRequired(error.inputRequests, ctx, sdkCtx);
      return toToolErrorResult(error, name, this.logger);
    }
  }

  private async inputRequired(
    inputRequests: unknown,
    ctx: McpContext,
    sdkCtx: ServerContext,
  ): Promise<Record<string, unknown>> {
    return {
      resultType: 'input_required',
      inputRequests,
      requestState: await this.codec.mint(ctx.roundState(), sdkCtx),
    };
  }

  private async readResource(
    req: any,
    sdkCtx: ServerContext,
    originOf: (ctx: ServerContext) => McpCallOrigin,
  ): Promise<unknown> {
    const uri = req.params.uri as string;
    const fixed = this.registry.resources.get(uri);
    let entry = fixed;
    let args: Record<string, unknown> = {};
    let mimeType = fixed?.definition.mimeType;
    if (!fixed) {
      for (const t of this.registry.templates.list()) {
        const match = t.template.match(uri);
        if (match) {
          entry = t as unknown as typeof fixed;
          args = match as Record<string, unknown>;
          mimeType = t.definition.mimeType;
          break;
        }
      }
    }
    if (!entry) throw new ResourceNotFoundError(uri);
    const ctx = this.context(sdkCtx, uri, originOf);
    try {
      return toReadResourceResult(await entry.invoke(args, ctx), uri, mimeType);
    } catch (error) {
      if (isInputRequiredSignal(error)) return this.inputRequired(error.inputRequests, ctx, sdkCtx);
      throw toProtocolError(error, `Resource ${uri}`, this.logger);
    }
  }

  private async getPrompt(
    req: any,
    sdkCtx: ServerContext,
    originOf: (ctx: ServerContext) => McpCallOrigin,
  ): Promise<unknown> {
    const name = req.params.name as string;
    const prompt = this.registry.prompts.get(name);
    if (!prompt)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    const ctx = this.context(sdkCtx, name, originOf);
    try {
      return toGetPromptResult(
        await prompt.invoke((req.params.arguments ?? {}) as Record<string, unknown>, ctx),
        prompt.definition.description,
      );
    } catch (error) {
      if (isInputRequiredSignal(error)) return this.inputRequired(error.inputRequests, ctx, sdkCtx);
      throw toProtocolError(error, `Prompt ${name}`, this.logger);
    }
  }

  private async complete(
    req: any,
    sdkCtx: ServerContext,
    originOf: (ctx: ServerContext) => McpCallOrigin,
  ): Promise<unknown> {
    const ref = req.params.ref as { type: string; name?: string; uri?: string };
    const argument = req.params.argument as { name: string; value: string };
    const kind = ref.type === 'ref/prompt' ? 'prompt' : 'resourceTemplate';
    const target = (kind === 'prompt' ? ref.name : ref.uri) ?? '';
    if (kind === 'prompt' && !this.registry.prompts.get(target))
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown prompt: ${target}`);
    const entry = this.registry.completion(kind, target, argument.name);
    if (!entry) return toCompleteResult([]);
    const ctx = this.context(sdkCtx, target, originOf);
    try {
      const value = await entry.invoke(
        {
          value: argument.value,
          arguments: (req.params.context?.arguments ?? {}) as Record<string, string>,
        },
        ctx,
      );
      return toCompleteResult(value);
    } catch (error) {
      throw toProtocolError(error, `Completion of ${target}`, this.logger);
    }
  }
}

function encodeCursor(index: number): string {
  return Buffer.from(`p:${index}`).toString('base64url');
}

function decodeCursor(cursor: string, pages: number): number {
  const m = /^p:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  const index = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(index) || index < 0 || index >= pages)
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor: ${cursor}`);
  return index;
}
