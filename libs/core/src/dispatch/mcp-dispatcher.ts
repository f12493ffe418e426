import { Logger } from '@nestjs/common';
import {
  createRequestStateCodec,
  isSpecType,
  type ClientCapabilities,
  type Implementation,
  type RequestStateCodec,
  type ServerCapabilities,
} from '@modelcontextprotocol/server';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isInputRequiredSignal } from '../context/input-required.signal';
import { McpContext, type ProtocolEra, type RoundState } from '../context/mcp-context';
import { isAnswerSignal } from '../extensions/answer.signal';
import type {
  McpExtensionCapabilities,
  McpExtensionMethod,
  McpProtocolExtension,
} from '../extensions/mcp-extension.interface';
import { McpProtocolError, JsonRpcErrorCode } from '../errors/mcp-protocol.error';
import { ToolError } from '../errors/tool.error';
import type { McpListedEntry, McpView } from '../hooks/mcp-request-hook.interface';
import { RequestHooks } from '../hooks/request-hooks';
import type { McpModuleOptions } from '../interfaces/mcp-module-options.interface';
import { DEFAULT_PAGE_SIZE, MODERN_PROTOCOL_VERSION } from '../mcp.constants';
import type { McpRegistry } from '../registry/mcp-registry';
import type { McpEntry, ToolEntry } from '../registry/registry.interfaces';
import { ProgressiveDiscovery } from '../progressive/progressive-discovery';
import { missingInputCapabilities } from './input-capabilities';
import { isPromiseLike, type MaybePromise } from '../hooks/maybe-promise';
import { addressOf, type McpCall } from './mcp-call.interface';
import {
  toCallToolResult,
  toCompleteResult,
  toGetPromptResult,
  toProtocolError,
  toReadResourceResult,
  toToolError,
  toToolErrorResult,
} from './result-mappers';

/** Cache hint of list results when the module sets none: not cached, per user. */
const DEFAULT_LIST_CACHE_HINT = { ttlMs: 0, cacheScope: 'private' } as const;

/** The list methods, the result field each fills and where its entries come from. */
const LISTS = {
  'tools/list': { field: 'tools', entries: (r: McpRegistry) => r.tools.list() },
  'resources/list': { field: 'resources', entries: (r: McpRegistry) => r.resources.list() },
  'resources/templates/list': {
    field: 'resourceTemplates',
    entries: (r: McpRegistry) => r.templates.list(),
  },
  'prompts/list': { field: 'prompts', entries: (r: McpRegistry) => r.prompts.list() },
} as const satisfies Record<
  string,
  { field: string; entries: (r: McpRegistry) => readonly McpListedEntry[] }
>;

/** A method that lists tools, resources, templates or prompts. */
export type ListMethod = keyof typeof LISTS;

/** Whether `method` is one of the {@link ListMethod}s. */
export const isListMethod = (method: string): method is ListMethod => Object.hasOwn(LISTS, method);

/** The list methods, for SDK servers that register a handler per method. */
export const LIST_METHODS = Object.keys(LISTS) as ListMethod[];

/**
 * The pages of a list, cut once per registry revision (and per view key): the same result
 * objects until a change.
 */
interface PageCache {
  revision: number;
  pages: Record<string, unknown>[];
}

/** Cache key of a list: the method, and the era for `tools/list` (2025-11-25 adds `execution`). */
type ListKey = `${ListMethod}` | 'tools/list legacy';

/** How many views' pages are kept per list method; the least recently used go first. */
const MAX_VIEW_PAGE_CACHES = 512;

/** A Rampart result: the spec's result object, before any era's encoding. */
export type McpResult = Record<string, unknown>;

type Method = (call: McpCall) => McpResult | Promise<McpResult>;

/** Runs a resolved `tools/call` through the extensions' `callTool()`, the first outermost. */
type ToolCallChain = (call: McpCall, tool: ToolEntry) => Promise<McpResult>;

/** Methods every transport serves through the dispatcher. */
export const DISPATCHED_METHODS = [
  ...LIST_METHODS,
  'tools/call',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/get',
  'completion/complete',
] as const;

/**
 * The semantics of every MCP method of one Rampart server, in one place. A transport decodes a
 * request into an {@link McpCall}, calls {@link dispatch}, and encodes the Rampart result (or the
 * {@link McpProtocolError} it rejects with) for its era and wire: the fast 2026-07-28 HTTP
 * exchange encodes it itself, SDK servers (2025-11-25 sessions, stdio, in-memory connections)
 * return it from the request handlers they register.
 *
 * What lives here: list pagination, tool calls with their `input_required` rounds (sealed,
 * bound `requestState`; the client-capability rules), resources and templates, prompts,
 * completion, `server/discover`, subscriptions, result validation and error mapping, and the
 * request hooks around all of it.
 */
export class McpDispatcher {
  private readonly logger: Logger;
  /** `serverInfo` of the server. */
  readonly serverInfo: Implementation;
  /**
   * The capabilities the server declares to 2025-11-25 clients (`initialize`), with what its
   * extensions add for that era.
   */
  readonly capabilities: ServerCapabilities;
  /** The capabilities `server/discover` declares (2026-07-28), with the extensions' own. */
  readonly modernCapabilities: ServerCapabilities;
  /** `ttlMs` / `cacheScope` of list results on 2026-07-28. */
  readonly listCacheHint: { ttlMs: number; cacheScope: 'public' | 'private' };
  private readonly codec: RequestStateCodec<RoundState>;
  private readonly pageSize: number;
  private readonly caches = new Map<ListKey, PageCache>();
  /** Pages per view key, by list, when hooks give views. */
  private readonly viewCaches = new Map<ListKey, Map<string, PageCache>>();
  private readonly methods: ReadonlyMap<string, Method>;
  /** The methods extensions add, and the eras that know each. */
  private readonly extensionMethods: ReadonlyMap<string, McpExtensionMethod>;
  private readonly toolCalls?: ToolCallChain;
  /** Progressive discovery of the tools, when the server's `discovery.mode` asks for it. */
  private readonly progressive?: ProgressiveDiscovery;

  constructor(
    private readonly options: McpModuleOptions,
    readonly registry: McpRegistry,
    /** The server's request hooks (`@McpHook()` providers), composed once. */
    readonly hooks: RequestHooks = new RequestHooks([]),
    /** The server's protocol extensions (`@McpExtension()` providers), in order. */
    extensions: readonly McpProtocolExtension[] = [],
  ) {
    this.logger = new Logger(`Mcp:${options.name}`);
    const base: ServerCapabilities = {
      tools: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
    };
    const declaring = extensions.filter((e) => e.capabilities);
    this.capabilities = declaring.length ? withExtensions(base, declaring, 'legacy') : base;
    this.modernCapabilities = declaring.length ? withExtensions(base, declaring, 'modern') : base;
    this.serverInfo = {
      name: options.name,
      version: options.version,
      ...(options.title && { title: options.title }),
      ...(options.icons && { icons: options.icons }),
      ...(options.websiteUrl && { websiteUrl: options.websiteUrl }),
    };
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (options.discovery?.mode === 'progressive')
      this.progressive = new ProgressiveDiscovery(registry, options.discovery);
    const hint = options.listCacheHint ?? DEFAULT_LIST_CACHE_HINT;
    // Lists that differ per caller must never be kept by a shared cache.
    this.listCacheHint = hooks.views ? { ...hint, cacheScope: 'private' } : hint;
    // No SDK `bind`: the state names its method, target and caller itself (see RoundState).
    this.codec = createRequestStateCodec<RoundState>({
      key: options.requestStateSecret ?? randomBytes(32),
    });
    const list =
      (method: ListMethod): Method =>
      (call) => {
        const era = call.origin.era;
        if (!hooks.views) return this.list(method, call.params.cursor, undefined, era);
        const view = hooks.view(call);
        return isPromiseLike(view)
          ? view.then((later) => this.list(method, call.params.cursor, later, era))
          : this.list(method, call.params.cursor, view, era);
      };
    this.methods = new Map<string, Method>([
      ...LIST_METHODS.map((m) => [m, list(m)] as const),
      ['tools/call', (call) => this.callTool(call)],
      ['resources/read', (call) => this.readResource(call)],
      ['resources/subscribe', (call) => this.subscription(call, true)],
      ['resources/unsubscribe', (call) => this.subscription(call, false)],
      ['prompts/get', (call) => this.getPrompt(call)],
      ['completion/complete', (call) => this.complete(call)],
      ['server/discover', () => this.discover()],
    ]);
    const added = new Map<string, McpExtensionMethod>();
    for (const extension of extensions)
      for (const [name, method] of Object.entries(extension.methods ?? {})) {
        if (this.methods.has(name) || added.has(name))
          throw new Error(
            `An MCP extension adds the method "${name}", which the server already serves`,
          );
        added.set(name, method);
      }
    this.extensionMethods = added;
    const wrapping = extensions.filter((e) => typeof e.callTool === 'function');
    if (wrapping.length)
      this.toolCalls = wrapping.reduceRight<ToolCallChain>(
        (inner, extension) => (call, tool) =>
          extension.callTool!(call, tool, () => inner(call, tool)) as Promise<McpResult>,
        (call, tool) => this.runTool(call, tool),
      );
  }

  /** The methods extensions add, for SDK servers that register a handler per method. */
  get addedMethods(): string[] {
    return [...this.extensionMethods.keys()];
  }

  /** Name of the server. */
  get name(): string {
    return this.options.name;
  }

  /**
   * Serves one request: admission (unless the transport admitted it already, as HTTP does), the
   * `around` hooks, then the method. Resolves with the Rampart result; rejects only with an
   * {@link McpProtocolError}.
   */
  dispatch(call: McpCall, admitted = call.origin.transport === 'http'): Promise<McpResult> {
    if (this.progressive && call.method === 'tools/call') {
      const params = this.progressive.unwrap(call.params);
      // A transport that did not rewrite it (see `resolve`): admitted as the tool it calls.
      if (params) [call, admitted] = [callFor(call, params), false];
    }
    const method = this.methods.get(call.method) ?? this.extensionMethod(call);
    if (!method)
      return Promise.reject(
        new McpProtocolError(JsonRpcErrorCode.MethodNotFound, 'Method not found'),
      );
    const hooks = this.hooks;
    if (!hooks.active) return invoke(method, call);
    if (hooks.authenticates && call.origin.transport !== 'http' && !call.origin.identity)
      return this.identify(call).then(
        () => hooks.serve(call, !admitted, () => invoke(method, call)) as Promise<McpResult>,
      );
    return hooks.serve(call, !admitted, () => invoke(method, call)) as Promise<McpResult>;
  }

  /**
   * The request as this server serves it: on a server in progressive discovery mode, a
   * `call_tool` call becomes the `tools/call` of the tool it names, with that tool's arguments,
   * so that admission hooks (authorization, rate limits), the audit, metrics, guards,
   * interceptors and pipes all see and treat it as a direct call of that tool. Transports call it
   * when they decode a request, before admission; any other request is returned as it is.
   *
   * @example
   * ```ts
   * dispatcher.resolve({ jsonrpc: '2.0', id: 1, method: 'tools/call',
   *   params: { name: 'call_tool', arguments: { name: 'get_invoice', arguments: { id: 'in_1' } } } });
   * // { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_invoice', arguments: { id: 'in_1' } } }
   * ```
   */
  resolve<T extends { method: string; params?: Record<string, unknown> }>(request: T): T {
    if (!this.progressive || request.method !== 'tools/call') return request;
    const params = this.progressive.unwrap(request.params);
    return params ? { ...request, params } : request;
  }

  /** An extension's method, when one adds `call.method` for the call's era. */
  private extensionMethod(call: McpCall): Method | undefined {
    const added = this.extensionMethods.get(call.method);
    if (!added || (added.eras && !added.eras.includes(call.origin.era))) return undefined;
    return (c) => added.handle(c);
  }

  /**
   * Stdio and in-memory calls: the authentication hooks tell the identity (over HTTP the endpoint
   * asks them once per request, before the era's transport).
   */
  private async identify(call: McpCall): Promise<void> {
    const identity = await this.hooks.authenticate({
      server: this.options.name,
      transport: call.origin.transport,
    });
    if (identity) call.origin.identity = identity;
  }

  /** The caller's view when hooks give views; entries it does not allow do not exist for it. */
  private visible<T extends McpListedEntry>(
    call: McpCall,
    entry: T | undefined,
  ): MaybePromise<T | undefined> {
    if (!entry || !this.hooks.views) return entry;
    const view = this.hooks.view(call);
    return isPromiseLike(view) ? view.then((later) => allowed(later, entry)) : allowed(view, entry);
  }

  /**
   * One page of a list method, as `view` allows it. The page results are built once per registry
   * revision and view key, so the same object answers every request of that view until the
   * registry changes (an encoder may cache its bytes by identity).
   */
  list(
    method: ListMethod,
    cursor: unknown,
    view?: McpView,
    era: ProtocolEra = 'modern',
  ): McpResult {
    if (cursor !== undefined && typeof cursor !== 'string')
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid cursor: it must be a string',
      );
    if (this.progressive && method === 'tools/list') return this.progressive.list(cursor);
    const revision = this.registry.revision;
    // 2025-11-25 tool lists carry `execution`, which 2026-07-28 removed: one cache per era.
    const legacyTools = method === 'tools/list' && era === 'legacy';
    const key: ListKey = legacyTools ? 'tools/list legacy' : method;
    let cache: PageCache | undefined;
    if (view) {
      let byKey = this.viewCaches.get(key);
      if (!byKey) this.viewCaches.set(key, (byKey = new Map()));
      cache = byKey.get(view.key);
      if (cache) byKey.delete(view.key); // re-inserted below: most recently used last
      if (!cache || cache.revision !== revision)
        cache = this.cut(method, revision, view, legacyTools);
      byKey.set(view.key, cache);
      if (byKey.size > MAX_VIEW_PAGE_CACHES) byKey.delete(byKey.keys().next().value!);
    } else {
      cache = this.caches.get(key);
      if (!cache || cache.revision !== revision) {
        cache = this.cut(method, revision, undefined, legacyTools);
        this.caches.set(key, cache);
      }
    }
    return cache.pages[cursor === undefined ? 0 : decodeCursor(cursor, cache.pages.length)];
  }

  /** Cuts a list into pages of `pageSize` definitions. */
  private cut(
    method: ListMethod,
    revision: number,
    view?: McpView,
    withExecution = false,
  ): PageCache {
    const { field, entries } = LISTS[method];
    const listed: readonly McpListedEntry[] = entries(this.registry);
    const all = (view ? listed.filter((e) => view.allows(e)) : listed).map((e) =>
      withExecution && (e as ToolEntry).execution
        ? { ...e.definition, execution: (e as ToolEntry).execution }
        : e.definition,
    );
    const pages: Record<string, unknown>[] = [];
    const count = Math.max(1, Math.ceil(all.length / this.pageSize));
    for (let i = 0; i < count; i++)
      pages.push({
        [field]: all.slice(i * this.pageSize, (i + 1) * this.pageSize),
        ...(i + 1 < count && { nextCursor: encodeCursor(i + 1) }),
      });
    return { revision, pages };
  }

  /** `server/discover` (2026-07-28): the modern versions, capabilities and instructions. */
  discover(): McpResult {
    return {
      supportedVersions: [MODERN_PROTOCOL_VERSION],
      capabilities: this.modernCapabilities,
      ...(this.options.instructions && { instructions: this.options.instructions }),
    };
  }

  private async callTool(call: McpCall): Promise<McpResult> {
    const params = call.params;
    const name = params.name;
    if (typeof name !== 'string')
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: tools/call needs a string "name"',
      );
    if (params.arguments !== undefined && !isObject(params.arguments))
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: "arguments" must be an object',
      );
    if (params.arguments !== undefined && nestsDeeper(params.arguments, MAX_ARGUMENTS_DEPTH))
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        `Invalid params: "arguments" nest deeper than ${MAX_ARGUMENTS_DEPTH} levels`,
      );
    if (this.progressive?.serves(name)) {
      const view = this.hooks.views ? this.hooks.view(call) : undefined;
      return this.progressive.call(call, name, isPromiseLike(view) ? await view : view);
    }
    const visible = this.visible(call, this.registry.tools.get(name));
    const tool = isPromiseLike(visible) ? await visible : visible;
    if (!tool) throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, `Unknown tool: ${name}`);
    return this.toolCalls ? this.toolCalls(call, tool) : this.runTool(call, tool);
  }

  /** Runs a resolved tool in the request: the Nest pipeline, then the result mapping. */
  private async runTool(call: McpCall, tool: ToolEntry): Promise<McpResult> {
    const name = tool.name;
    const ctx = await this.context(call, name, tool);
    let result: McpResult;
    try {
      result = (await toCallToolResult(
        await tool.invoke((call.params.arguments ?? {}) as Record<string, unknown>, ctx),
        tool,
      )) as McpResult;
    } catch (error) {
      if (isInputRequiredSignal(error)) return this.inputRequired(error.inputRequests, ctx);
      if (isAnswerSignal(error)) return error.answer();
      const toolError = toToolError(error, name, this.logger);
      (call as { toolError?: ToolError }).toolError = toolError;
      return toToolErrorResult(toolError) as McpResult;
    }
    return result;
  }

  private async readResource(call: McpCall): Promise<McpResult> {
    const uri = call.params.uri;
    if (typeof uri !== 'string')
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: resources/read needs a string "uri"',
      );
    const fixed = this.registry.resources.get(uri);
    let entry: McpListedEntry | undefined = fixed;
    let args: Record<string, unknown> = {};
    let mimeType = fixed?.definition.mimeType;
    if (!fixed)
      for (const t of this.registry.templates.list()) {
        const match = t.template.match(uri);
        if (match) {
          entry = t;
          args = match as Record<string, unknown>;
          mimeType = t.definition.mimeType;
          break;
        }
      }
    entry = await this.visible(call, entry);
    if (!entry)
      throw new McpProtocolError(JsonRpcErrorCode.ResourceNotFound, `Resource not found: ${uri}`, {
        uri,
      });
    const ctx = await this.context(call, uri, entry);
    let result: McpResult;
    try {
      result = toReadResourceResult(await entry.invoke(args, ctx), uri, mimeType) as McpResult;
    } catch (error) {
      if (isInputRequiredSignal(error)) return this.inputRequired(error.inputRequests, ctx);
      throw toProtocolError(error, `Resource ${uri}`, this.logger);
    }
    return this.checked(result, isSpecType.ReadResourceResult, `Resource ${uri}`);
  }

  private async getPrompt(call: McpCall): Promise<McpResult> {
    const name = call.params.name;
    if (typeof name !== 'string')
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: prompts/get needs a string "name"',
      );
    const prompt = await this.visible(call, this.registry.prompts.get(name));
    if (!prompt)
      throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    const ctx = await this.context(call, name, prompt);
    let result: McpResult;
    try {
      result = toGetPromptResult(
        await prompt.invoke((call.params.arguments ?? {}) as Record<string, unknown>, ctx),
        prompt.definition.description,
      ) as McpResult;
    } catch (error) {
      if (isInputRequiredSignal(error)) return this.inputRequired(error.inputRequests, ctx);
      throw toProtocolError(error, `Prompt ${name}`, this.logger);
    }
    return this.checked(result, isSpecType.GetPromptResult, `Prompt ${name}`);
  }

  private async complete(call: McpCall): Promise<McpResult> {
    const ref = call.params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
    const argument = call.params.argument as { name?: unknown; value?: unknown } | undefined;
    const kind = ref?.type === 'ref/prompt' ? 'prompt' : 'resourceTemplate';
    const target = kind === 'prompt' ? ref?.name : ref?.uri;
    if (
      typeof target !== 'string' ||
      !isObject(argument) ||
      typeof argument.name !== 'string' ||
      typeof argument.value !== 'string'
    )
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        'Invalid params: completion/complete needs a "ref" with a name or uri, and a string "argument.name" and "argument.value"',
      );
    if (kind === 'prompt' && !(await this.visible(call, this.registry.prompts.get(target))))
      throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, `Unknown prompt: ${target}`);
    if (kind === 'resourceTemplate' && this.hooks.views) {
      const template = this.registry.templates
        .list()
        .find((t) => t.definition.uriTemplate === target);
      if (template && !(await this.visible(call, template)))
        return toCompleteResult([]) as McpResult;
    }
    const entry = this.registry.completion(kind, target, argument.name);
    if (!entry) return toCompleteResult([]) as McpResult;
    const ctx = await this.context(call, target, entry);
    const context = call.params.context as { arguments?: Record<string, string> } | undefined;
    try {
      const value = await entry.invoke(
        { value: argument.value, arguments: context?.arguments ?? {} },
        ctx,
      );
      return toCompleteResult(value) as McpResult;
    } catch (error) {
      throw toProtocolError(error, `Completion of ${target}`, this.logger);
    }
  }

  private subscription(call: McpCall, subscribe: boolean): McpResult {
    if (!call.subscriptions)
      throw new McpProtocolError(JsonRpcErrorCode.MethodNotFound, 'Method not found');
    const uri = call.params.uri;
    if (typeof uri !== 'string')
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        `Invalid params: ${call.method} needs a string "uri"`,
      );
    if (!subscribe) {
      call.subscriptions.unsubscribe(uri);
      return {};
    }
    // A caller chooses its URIs: unbounded, one session held any number of any size.
    if (uri.length > MAX_SUBSCRIBED_URI_CHARS)
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        `Invalid params: a subscribed URI has at most ${MAX_SUBSCRIBED_URI_CHARS} characters`,
      );
    if (!call.subscriptions.has(uri) && call.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION)
      throw new McpProtocolError(
        JsonRpcErrorCode.InvalidParams,
        `Invalid params: a session holds at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} resource subscriptions; unsubscribe from one first`,
        { limit: MAX_SUBSCRIPTIONS_PER_CONNECTION },
      );
    call.subscriptions.subscribe(uri);
    return {};
  }

  /** The handler's context; on a 2026-07-28 retry round, with the verified earlier answers. */
  private async context(call: McpCall, target: string, entry: McpEntry): Promise<McpContext> {
    const raw = call.requestState;
    if (raw === undefined) return new McpContext(call, target, undefined, entry);
    const state = await this.verifyRoundState(raw, call, target);
    return new McpContext(call, target, state, entry);
  }

  /**
   * Verifies an echoed `requestState`: sealed by this server (or a replica sharing the secret),
   * not expired, minted for this method and target, and for this caller. Any failure answers the
   * same opaque error, as the SDK does.
   */
  private async verifyRoundState(raw: unknown, call: McpCall, target: string): Promise<RoundState> {
    const refused = () =>
      new McpProtocolError(JsonRpcErrorCode.InvalidParams, 'Invalid or expired requestState', {
        reason: 'invalid_request_state',
      });
    if (typeof raw !== 'string') throw refused();
    let state: RoundState;
    try {
      state = await this.codec.verify(raw, undefined as never);
    } catch {
      throw refused();
    }
    const subject = call.origin.identity?.subject;
    if (
      !isObject(state) ||
      !isObject(state.responses) ||
      !same(state.for, `${call.method} ${target}`) ||
      !same(state.sub, subject)
    ) {
      this.logger.warn(
        `A requestState minted for another call or caller was refused (${call.method} ${target})`,
      );
      throw refused();
    }
    return state;
  }

  /**
   * Ends a 2026-07-28 round with `input_required`, after checking that the request's own
   * declared client capabilities cover every question (`-32021` otherwise).
   */
  private async inputRequired(inputRequests: unknown, ctx: McpContext): Promise<McpResult> {
    const call = ctx.call;
    const declared = call.envelope?.['io.modelcontextprotocol/clientCapabilities'] as
      ClientCapabilities | undefined;
    const refusal = missingInputCapabilities(inputRequests, declared);
    if (refusal) throw refusal;
    return {
      resultType: 'input_required',
      inputRequests,
      requestState: await this.codec.mint(ctx.roundState()),
    };
  }

  private checked(result: McpResult, valid: (v: unknown) => boolean, what: string): McpResult {
    if (valid(result)) return result;
    throw toProtocolError(
      new Error(`${what} returned a result that is not a valid MCP result`),
      what,
      this.logger,
    );
  }
}

/** The server's own capabilities with what the extensions add for `era`, one level deep. */
function withExtensions(
  base: ServerCapabilities,
  extensions: readonly McpProtocolExtension[],
  era: keyof McpExtensionCapabilities,
): ServerCapabilities {
  const out: Record<string, unknown> = { ...base };
  for (const extension of extensions) {
    const added = extension.capabilities?.[era];
    if (!added) continue;
    for (const [key, value] of Object.entries(added))
      out[key] =
        isObject(out[key]) && isObject(value)
          ? { ...(out[key] as Record<string, unknown>), ...value }
          : value;
  }
  return out as ServerCapabilities;
}

/**
 * The call with other params (a `call_tool` call's inner `tools/call`): its own target and
 * arguments, everything else read from, and every notification sent through, the original.
 */
function callFor(call: McpCall, params: Record<string, unknown>): McpCall {
  return Object.create(call, {
    params: { value: params, enumerable: true },
    ...descriptors(addressOf('tools/call', params)),
    signal: { get: () => call.signal, enumerable: true },
    notify: { value: call.notify.bind(call) },
    log: { value: call.log.bind(call) },
    send: { value: call.send.bind(call) },
    toolError: { value: undefined, writable: true, enumerable: true },
  }) as McpCall;
}

function descriptors(values: Record<string, unknown>): PropertyDescriptorMap {
  const out: PropertyDescriptorMap = {};
  for (const [key, value] of Object.entries(values)) out[key] = { value, enumerable: true };
  return out;
}

function invoke(method: Method, call: McpCall): Promise<McpResult> {
  try {
    return Promise.resolve(method(call));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `entry` when `view` (none: everything) allows it. */
function allowed<T extends McpListedEntry>(view: McpView | undefined, entry: T): T | undefined {
  return !view || view.allows(entry) ? entry : undefined;
}

/**
 * Deepest `arguments` of a tool call, counting the arguments object as level 1 (the default
 * `MaxDepth` of .NET's System.Text.Json). Deeper ones are refused before any guard,
 * interceptor or pipe runs: the code that walks arguments recursively (class-transformer for a
 * DTO, canonical JSON for a cache key, a logger) overflows the stack a few thousand levels down,
 * and that error, raised inside a tool's resilience policies, counted against the tool's
 * circuit breaker for every caller.
 */
export const MAX_ARGUMENTS_DEPTH = 64;

/**
 * Most `resources/subscribe` URIs one 2025-11-25 connection (a session, a stdio client) holds.
 * Each is kept with the session (in Redis too, with several replicas) for as long as it lives, and
 * a caller chooses them: without a bound, one session held any number (10,000 of 1 KB took 12 MB
 * and 5 ms of CPU per further subscription). Subscribing again to a held URI is always accepted.
 */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 1_000;

/** Longest URI a connection may subscribe to, in characters. */
export const MAX_SUBSCRIBED_URI_CHARS = 8_192;

/** Whether a JSON value nests objects or arrays more than `limit` levels; without recursion. */
function nestsDeeper(value: unknown, limit: number): boolean {
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const current = pending.pop() as object;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(current) ? current : Object.values(current);
    for (const child of children)
      if (child !== null && typeof child === 'object') {
        pending.push(child);
        depths.push(depth + 1);
      }
  }
  return false;
}

/** Compares two optional strings in constant time. */
function same(a: unknown, b: string | undefined): boolean {
  if (b === undefined) return a === undefined;
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function encodeCursor(index: number): string {
  return Buffer.from(`p:${index}`).toString('base64url');
}

function decodeCursor(cursor: string, pages: number): number {
  const m = /^p:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  const index = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(index) || index < 0 || index >= pages)
    throw new McpProtocolError(JsonRpcErrorCode.InvalidParams, `Invalid cursor: ${cursor}`);
  return index;
}
