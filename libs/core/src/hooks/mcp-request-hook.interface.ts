import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpCallOrigin, McpTransportKind } from '../context/mcp-context';
import type { ToolError } from '../errors/tool.error';
import type { McpIdentity } from '../interfaces/mcp-identity.interface';
import type {
  PromptEntry,
  ResourceEntry,
  ResourceTemplateEntry,
  ToolEntry,
} from '../registry/registry.interfaces';

/**
 * One JSON-RPC request to a Rampart server, as request hooks see it: before it is dispatched
 * ({@link McpRequestHook.admit}) and around its handler ({@link McpRequestHook.around}).
 */
export interface McpRequest {
  /** Name of the Rampart server. */
  readonly server: string;
  /** JSON-RPC method, e.g. `tools/call`. */
  readonly method: string;
  /** JSON-RPC id. */
  readonly id: string | number;
  /** Tool or prompt name (`tools/call`, `prompts/get`) or resource URI (`resources/read`). */
  readonly target?: string;
  /** Arguments of `tools/call` and `prompts/get`, exactly as the client sent them. */
  readonly arguments?: Readonly<Record<string, unknown>>;
  /**
   * The request's `_meta`, without the protocol's reserved `io.modelcontextprotocol/*` envelope
   * keys (2026-07-28); `traceparent`, `progressToken` and your own keys are here.
   */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Transport, era, identity, client, native HTTP request, header trace context. */
  readonly origin: McpCallOrigin;
  /**
   * The structured failure behind a `tools/call` that ended as an `isError` result, set when the
   * dispatcher maps it (so by the time `next()` of {@link McpRequestHook.around} resolves): the
   * {@link ToolError} the tool, a guard or a policy threw, or the `INTERNAL_ERROR` that masks an
   * unexpected one. `undefined` for successful calls and for protocol errors, which reject.
   */
  readonly toolError?: ToolError;
}

/** One HTTP request on an MCP endpoint, as {@link McpRequestHook.onHttpRequest} sees it. */
export interface McpHttpExchange {
  /** Name of the Rampart server. */
  readonly server: string;
  /** The Node request: method, headers, socket. */
  readonly request: IncomingMessage;
  /** The Node response. Headers set here stay on whatever the endpoint answers. */
  readonly response: ServerResponse;
  /** The adapter's own request object (Express or Fastify). */
  readonly native: unknown;
}

/** What an authentication hook ({@link McpRequestHook.authenticate}) sees of a request. */
export interface McpAuthRequest {
  /** Name of the Rampart server. */
  readonly server: string;
  /** How the request came: over HTTP per request; on stdio and in-memory connections per call. */
  readonly transport: McpTransportKind;
  /** The HTTP exchange, over HTTP. */
  readonly http?: McpHttpExchange;
}

/** An entry that lists show: a tool, a resource, a resource template or a prompt. */
export type McpListedEntry = ToolEntry | ResourceEntry | ResourceTemplateEntry | PromptEntry;

/**
 * What one caller may see and use, as a {@link McpRequestHook.view} decides it. The lists a caller
 * gets contain only the entries its view allows, and a call to an entry it does not allow is
 * answered as if the entry did not exist (`Unknown tool`, `Resource not found`, `Unknown prompt`).
 */
export interface McpView {
  /**
   * Equal for every caller that sees the same entries: the dispatcher cuts each list's pages once
   * per key (and per registry revision) and answers every caller of that key from them, so a list
   * costs no more per caller than without views. A key must change when what it allows changes
   * (fold a policy or switch generation into it).
   */
  readonly key: string;
  /** Whether the caller may see and use `entry`. */
  allows(entry: McpListedEntry): boolean;
}

/** Called once when an admitted request has been answered (or its connection has gone). */
export type McpRelease = () => void;

/**
 * A server-wide hook on every JSON-RPC request: the place for concerns that sit in front of the
 * Nest pipeline (load shedding, endpoint-wide rate limits) or around all of it (metrics, traces,
 * logs, audit), and so also see requests that a guard or validation refused.
 *
 * Mark the provider with `@McpHook()`; discovery finds it at boot.
 *
 * @example
 * ```ts
 * @McpHook({ order: -100 })
 * @Injectable()
 * export class CallTimer implements McpRequestHook {
 *   async around(request: McpRequest, next: () => Promise<unknown>) {
 *     const started = performance.now();
 *     try { return await next(); } finally { record(request.method, performance.now() - started); }
 *   }
 * }
 * ```
 */
export interface McpRequestHook {
  /**
   * Asked once per server at boot: whether the hook runs on that server at all. A hook that
   * answers `false` (e.g. a feature its options leave off) costs its server nothing per request.
   * @default every server (or the `server` of `@McpHook()`)
   */
  enabledFor?(server: string): boolean;

  /**
   * HTTP only: runs first for every request on the MCP endpoint (any HTTP method, `OPTIONS`
   * included), before the endpoint's own checks (Host and Origin, method, media type), the era
   * or the body, so that headers set here are on every answer. The place for response headers
   * (security headers, CORS); it may also answer the request itself (a CORS preflight): once the
   * response has ended, the endpoint does nothing more with it. Hooks run in order.
   */
  onHttpRequest?(exchange: McpHttpExchange): void | Promise<void>;

  /**
   * Resolves who is calling. Over HTTP it runs once per request, after the endpoint's own checks
   * of the HTTP method and media type and before the era's transport (so the identity binds a
   * 2025-11-25 session and reaches every call in it); on stdio and in-memory connections it runs
   * once per call, before admission. The first hook (in order) that returns an identity decides;
   * `undefined` means "not mine" (the next hook is asked; nobody claiming it leaves the caller
   * anonymous).
   *
   * Throw an `McpProtocolError` to refuse: over HTTP with its `httpStatus` (`401`) and `headers`
   * (`WWW-Authenticate`). `McpModule` `identify` is used when no hook returns an identity.
   */
  authenticate?(
    request: McpAuthRequest,
  ): McpIdentity | undefined | Promise<McpIdentity | undefined>;

  /**
   * What the caller of `request` may see and use: see {@link McpView}. Asked for list requests
   * and for every call to a tool, resource, template or prompt; several hooks' views combine
   * (an entry must be allowed by all). Return `undefined` to allow everything.
   */
  view?(request: McpRequest): McpView | undefined | Promise<McpView | undefined>;

  /**
   * Decides whether a request is served at all, before it is dispatched. Over HTTP it runs in the
   * endpoint before the era's transport (so a refusal is an HTTP status); on stdio and in-memory
   * connections it runs just before {@link around}.
   *
   * Throw an `McpProtocolError` to refuse: over HTTP its `httpStatus` and `retryAfterMs` become
   * the response status and a `Retry-After` header; elsewhere it is the JSON-RPC error. Return a
   * {@link McpRelease} to learn when the request is over.
   */
  admit?(request: McpRequest): void | McpRelease | Promise<void | McpRelease>;

  /**
   * Told when an admission hook refused a request (which then never reaches {@link around}), with
   * the error it threw: the place to count, log or audit refusals. Must not throw.
   */
  refused?(request: McpRequest, error: unknown): void;

  /**
   * Wraps the handler of an admitted request. `next()` resolves to the method's result: for
   * `tools/call` the `CallToolResult` after error mapping (a failed call resolves with
   * `isError: true`, and {@link McpRequest.toolError} holds the structured error behind it), or
   * an `input_required` result on 2026-07-28; other methods resolve to their result and fail by
   * rejecting with an `McpProtocolError`. Do not rely on the shape of list results: the
   * 2026-07-28 endpoint may answer them from a serialized cache.
   */
  around?(request: McpRequest, next: () => Promise<unknown>): Promise<unknown>;
}

/** Options of `@McpHook()`. */
export interface McpHookOptions {
  /**
   * Position among the hooks: lower runs first (outermost). Admission hooks run in this order
   * and stop at the first refusal.
   * @default 0
   */
  order?: number;
  /** Only for the server of this name; every server by default. */
  server?: string;
}
