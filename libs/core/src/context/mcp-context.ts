import {
  isSpecType,
  type ClientCapabilities,
  type CreateMessageRequest,
  type CreateMessageResult,
  type CreateMessageResultWithTools,
  type ElicitRequestFormParams,
  type ElicitRequestURLParams,
  type ElicitResult,
  type Implementation,
  type InputRequest,
  type ListRootsResult,
  type LoggingLevel,
} from '@modelcontextprotocol/server';
import type { McpCall } from '../dispatch/mcp-call.interface';
import type { McpIdentity } from '../interfaces/mcp-identity.interface';
import type { McpEntry } from '../registry/registry.interfaces';
import { InputRequiredSignal } from './input-required.signal';

/** The protocol era of a call: `modern` is 2026-07-28 (stateless), `legacy` is 2025-11-25 and older. */
export type ProtocolEra = 'modern' | 'legacy';

/** How the call reached the server. */
export type McpTransportKind = 'http' | 'stdio' | 'memory';

/** W3C trace context of the call, from `_meta` or the HTTP headers. */
export interface McpTraceContext {
  traceparent: string;
  tracestate?: string;
}

/** What the transport knows about the call: how it came, from whom, in which era. */
export interface McpCallOrigin {
  transport: McpTransportKind;
  era: ProtocolEra;
  protocolVersion?: string;
  identity?: McpIdentity;
  clientInfo?: Implementation;
  clientCapabilities?: ClientCapabilities;
  /** The native HTTP request (Express or Fastify), when over HTTP. */
  request?: unknown;
  /** `traceparent` / `tracestate` HTTP headers, used when `_meta` carries none. */
  headerTrace?: McpTraceContext;
}

/**
 * Per-round state carried through the client on 2026-07-28 multi-round calls, sealed (HMAC) in
 * `requestState`. It names the method, target and caller it was minted for, so a state cannot be
 * replayed on another tool or by another identity.
 */
export interface RoundState {
  /** Answers of earlier rounds, by input key. */
  responses: Record<string, unknown>;
  /** `method` and target (tool or prompt name, resource URI) the state was minted for. */
  for?: string;
  /** Subject of the identity that started the flow, when there was one. */
  sub?: string;
}

const TRACEPARENT_KEY = 'traceparent';
/** The answers of a call that has none (most calls): shared, never written. */
const NO_ANSWERS: Record<string, unknown> = Object.freeze({});
const TRACESTATE_KEY = 'tracestate';

/**
 * The SDK's check of an answer, by the method of the input request it answers: an answer is taken
 * only when it is a valid result of that request, as the SDK checks the client's response to a
 * request sent in a 2025-11-25 session. Anything else (a number, an `{ method, result }`
 * wrapper, an elicitation answer to a sampling request) counts as no answer, and the question
 * is asked again in a new round.
 */
const ANSWER_CHECKS: Readonly<Record<string, (answer: unknown) => boolean>> = {
  'elicitation/create': (answer) => isSpecType.ElicitResult(answer),
  'sampling/createMessage': (answer) =>
    isSpecType.CreateMessageResult(answer) || isSpecType.CreateMessageResultWithTools(answer),
  'roots/list': (answer) => isSpecType.ListRootsResult(answer),
};

/**
 * Everything a tool, resource or prompt handler knows about its call. Inject it with `@Ctx()`,
 * or read it in a guard or interceptor with `McpExecutionContext.getContext(context)`.
 *
 * @example
 * ```ts
 * async scrape(@Args() input: ScrapeUrlInput, @Ctx() ctx: McpContext) {
 *   ctx.progress(0.1, 'fetching');
 *   const res = await fetch(input.url, { signal: ctx.signal });
 * }
 * ```
 */
export class McpContext {
  /** Answers gathered for this call so far: this round's plus earlier rounds' (2026-07-28). */
  private readonly answers: Record<string, unknown>;
  private inputSeq = 0;
  /** Signals linked by {@link linkSignal} (or their factories), outermost first. */
  private links?: readonly (AbortSignal | (() => AbortSignal))[];
  /** `ctx.signal` combined with {@link links}, built when first read. */
  private narrowed?: AbortSignal;

  private readonly origin: McpCallOrigin;

  constructor(
    /** The request, as the transport decoded it (read-only; for advanced use). */
    readonly call: McpCall,
    /** Name of the tool, prompt or resource URI the call is for. */
    readonly target: string,
    previousRound?: RoundState,
    /**
     * The registry entry the call runs, resolved once by the dispatcher: guards and interceptors
     * read their metadata and compiled policies from it (`entry.handler`) instead of looking the
     * tool up again.
     */
    readonly entry?: McpEntry,
  ) {
    this.origin = call.origin;
    this.answers =
      previousRound || call.inputResponses
        ? { ...previousRound?.responses, ...call.inputResponses }
        : NO_ANSWERS;
  }

  /** Name of the Rampart server serving the call. */
  get server(): string {
    return this.call.server;
  }

  /** JSON-RPC id of the request. */
  get requestId(): string | number {
    return this.call.id;
  }

  /** JSON-RPC method, e.g. `tools/call`. */
  get method(): string {
    return this.call.method;
  }

  /** `modern` (2026-07-28, stateless) or `legacy` (2025-11-25, sessions). */
  get era(): ProtocolEra {
    return this.origin.era;
  }

  /** Negotiated or per-request protocol version, when known. */
  get protocolVersion(): string | undefined {
    return this.origin.protocolVersion;
  }

  /** `http`, `stdio` or `memory`. */
  get transport(): McpTransportKind {
    return this.origin.transport;
  }

  /** The 2025-era session id, when the call belongs to a session. */
  get sessionId(): string | undefined {
    return this.call.sessionId;
  }

  /** Who is calling, from the HTTP request's authentication; `undefined` on stdio or anonymous. */
  get identity(): McpIdentity | undefined {
    return this.origin.identity;
  }

  /** Tenant of the identity, when there is one. */
  get tenant(): string | undefined {
    return this.origin.identity?.tenant;
  }

  /** The client's name and version. */
  get clientInfo(): Implementation | undefined {
    return this.origin.clientInfo;
  }

  /** The client's declared capabilities. */
  get clientCapabilities(): ClientCapabilities | undefined {
    return this.origin.clientCapabilities;
  }

  /** The native HTTP request (Express `Request` or Fastify `FastifyRequest`), over HTTP. */
  get request(): unknown {
    return this.origin.request;
  }

  /**
   * Fires when the client cancels the call or disconnects, or when a policy gives up on it (a
   * timeout). Pass it to your I/O.
   */
  get signal(): AbortSignal {
    if (!this.links) return this.call.signal;
    return (this.narrowed ??= AbortSignal.any([
      this.call.signal,
      ...this.links.map((link) => (typeof link === 'function' ? link() : link)),
    ]));
  }

  /**
   * Narrows {@link signal}: until the returned function is called, `ctx.signal` also aborts when
   * `signal` does. Policies use it so that a timeout stops the method's own I/O; each call of the
   * returned function restores the signal seen before.
   *
   * `signal` may be a function that makes the signal: it is called only if the method reads
   * `ctx.signal`, so a policy need not build an `AbortController` for a method that never looks.
   * The function must return the same signal every time, already aborted if its cause has come.
   *
   * @example
   * ```ts
   * const restore = ctx.linkSignal(AbortSignal.timeout(5_000));
   * try { return await work(ctx.signal); } finally { restore(); }
   * ```
   */
  linkSignal(signal: AbortSignal | (() => AbortSignal)): () => void {
    // Combined only when the method reads ctx.signal: a policy links a signal on every attempt,
    // and most methods that ignore the signal should not pay for AbortSignal.any().
    const links = this.links;
    const narrowed = this.narrowed;
    this.links = links ? [...links, signal] : [signal];
    this.narrowed = undefined;
    return () => {
      this.links = links;
      this.narrowed = narrowed;
    };
  }

  /** The request's `_meta`, without the protocol's reserved envelope keys. */
  get meta(): Readonly<Record<string, unknown>> | undefined {
    return this.call.meta;
  }

  /** W3C trace context: `_meta.traceparent` first, then the HTTP headers. */
  get trace(): McpTraceContext | undefined {
    const meta = this.call.meta;
    const traceparent = meta?.[TRACEPARENT_KEY];
    if (typeof traceparent === 'string') {
      const tracestate = meta?.[TRACESTATE_KEY];
      return { traceparent, ...(typeof tracestate === 'string' && { tracestate }) };
    }
    return this.origin.headerTrace;
  }

  /**
   * Reports progress when the client asked for it (a `progressToken` in `_meta`); otherwise a
   * no-op. Never throws: a failed notification does not fail the call.
   */
  progress(progress: number, message?: string, total?: number): void {
    const token = this.call.meta?.progressToken;
    if (token === undefined) return;
    this.call
      .notify({
        method: 'notifications/progress',
        params: {
          progressToken: token as string | number,
          progress,
          ...(total !== undefined && { total }),
          ...(message !== undefined && { message }),
        },
      })
      .catch(() => undefined);
  }

  /**
   * Sends a log message to the client (respecting its `logging/setLevel`). Never throws.
   * Deprecated by the 2026-07-28 revision, still delivered to clients that read it.
   */
  log(level: LoggingLevel, data: unknown, logger?: string): void {
    this.call.log(level, data, logger).catch(() => undefined);
  }

  /**
   * Asks the user for input through the client (form or URL elicitation).
   *
   * On 2025-11-25 this sends `elicitation/create` and waits for the answer. On 2026-07-28 (and
   * in the runs of a task, in either era) the first round ends the call with an `input_required`
   * result; the client answers and the handler runs again from the start, this time receiving
   * the answer here. Side effects before an `elicit` must therefore be idempotent.
   *
   * @param key identifies this question across rounds; defaults to its order in the handler.
   */
  async elicit(
    params: ElicitRequestFormParams | ElicitRequestURLParams,
    key?: string,
  ): Promise<ElicitResult> {
    return (await this.ask(
      { method: 'elicitation/create', params } as InputRequest,
      key,
    )) as ElicitResult;
  }

  /** Asks the client's model for a completion (sampling); same rounds as {@link elicit}. */
  async sample(
    params: CreateMessageRequest['params'],
    key?: string,
  ): Promise<CreateMessageResult | CreateMessageResultWithTools> {
    return (await this.ask(
      { method: 'sampling/createMessage', params } as InputRequest,
      key,
    )) as CreateMessageResult;
  }

  /** Asks the client for its roots; same rounds as {@link elicit}. */
  async listRoots(key?: string): Promise<ListRootsResult> {
    return (await this.ask({ method: 'roots/list' } as InputRequest, key)) as ListRootsResult;
  }

  /**
   * Asks several questions at once. On 2026-07-28 they travel in one `input_required` result;
   * on 2025-11-25 they are sent one after the other.
   */
  async askAll<K extends string>(requests: Record<K, InputRequest>): Promise<Record<K, unknown>> {
    const keys = Object.keys(requests) as K[];
    if (this.inRounds) {
      const missing = keys.filter((k) => !this.answered(k, requests[k]));
      if (missing.length > 0)
        throw new InputRequiredSignal(Object.fromEntries(missing.map((k) => [k, requests[k]])));
      return Object.fromEntries(keys.map((k) => [k, this.answers[k]])) as Record<K, unknown>;
    }
    const out = {} as Record<K, unknown>;
    for (const k of keys) out[k] = await this.ask(requests[k], k);
    return out;
  }

  /** Answers gathered so far (2026-07-28): what the next round's `requestState` carries. */
  roundState(): RoundState {
    return {
      responses: this.answers,
      for: `${this.method} ${this.target}`,
      ...(this.origin.identity && { sub: this.origin.identity.subject }),
    };
  }

  /** Whether input is gathered in rounds (2026-07-28, task runs) rather than by requests. */
  private get inRounds(): boolean {
    return this.call.rounds ?? this.era === 'modern';
  }

  /** Whether the client answered question `id` with a valid result of `request`. */
  private answered(id: string, request: InputRequest): boolean {
    if (!Object.hasOwn(this.answers, id)) return false;
    const check = ANSWER_CHECKS[request.method];
    return check ? check(this.answers[id]) : true;
  }

  private async ask(request: InputRequest, key?: string): Promise<unknown> {
    const id = key ?? `input-${this.inputSeq++}`;
    if (this.inRounds) {
      if (this.answered(id, request)) return this.answers[id];
      throw new InputRequiredSignal({ [id]: request });
    }
    const req = request as { method: string; params?: Record<string, unknown> };
    return this.call.send({ method: req.method, params: req.params });
  }
}
