import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  SERVER_INFO_META_KEY,
  type JSONRPCRequest,
  type LoggingLevel,
} from '@modelcontextprotocol/server';
import type { ServerResponse } from 'node:http';
import type { McpCallOrigin } from '../../context/mcp-context';
import {
  addressOf,
  splitMeta,
  type McpCall,
  type McpNotification,
} from '../../dispatch/mcp-call.interface';
import { isListMethod, type McpDispatcher, type McpResult } from '../../dispatch/mcp-dispatcher';
import { isMcpProtocolError, JsonRpcErrorCode } from '../../errors/mcp-protocol.error';
import type { ToolError } from '../../errors/tool.error';
import type { McpHttpOptions } from '../../interfaces/mcp-module-options.interface';
import { LOGGING_LEVELS } from '../../mcp.constants';

/**
 * The 2026-07-28 era over HTTP: decodes a JSON-RPC request into an {@link McpCall}, lets the
 * server's {@link McpDispatcher} serve it, and encodes the result the way the SDK encodes
 * 2026-07-28 results. No per-request SDK `Server`, transport or Web `Response`.
 *
 * Only wire rules live here, each a copy of the SDK's (which keeps them internal): the encode
 * contract (`resultType`, `ttlMs`/`cacheScope` on cacheable results, `serverInfo` in `_meta`),
 * the `-32002` → `-32602` error code, log notifications only when the envelope names a level,
 * no server-to-client requests, and JSON or SSE framing. Method semantics are the dispatcher's.
 * test/core/parity.e2e-spec.ts serves a table of requests here and through an SDK server and
 * compares them on the wire.
 *
 * Why by hand: a per-request SDK server costs a `Server`, a transport, zod parsing of the request
 * and of the result, a Web `Response` and its stream; measured in test/bench that was about two
 * thirds of a `tools/call`.
 */
export class ModernFastPath {
  private readonly serverInfoMeta: Record<string, unknown>;
  /** `"resultType":"complete","_meta":{…serverInfo}}`: the tail of a stamped plain result. */
  private readonly completeStamp: string;
  /** Serialized list pages by the page object the dispatcher answered (one per revision). */
  private readonly lists = new WeakMap<object, Buffer>();

  constructor(
    private readonly dispatcher: McpDispatcher,
    private readonly mode: NonNullable<McpHttpOptions['responseMode']>,
  ) {
    this.serverInfoMeta = { [SERVER_INFO_META_KEY]: dispatcher.serverInfo };
    this.completeStamp = `"resultType":"complete","_meta":${JSON.stringify(this.serverInfoMeta)}}`;
  }

  /**
   * Decodes a 2026-07-28 request; `res` carries its notifications and its answer. A `call_tool`
   * call of a progressive server is decoded as the `tools/call` it stands for (see
   * {@link McpDispatcher.resolve}).
   */
  decode(message: JSONRPCRequest, res: ServerResponse, origin: McpCallOrigin): ModernCall {
    return new ModernCall(
      this.dispatcher.name,
      this.dispatcher.resolve(message),
      res,
      origin,
      this.mode,
    );
  }

  /** Serves a decoded request and writes its answer. Never rejects. */
  async serve(call: ModernCall): Promise<void> {
    try {
      const result = await this.dispatcher.dispatch(call);
      call.finishResult(this.encode(call.method, result));
    } catch (error) {
      const e = isMcpProtocolError(error)
        ? error
        : { code: JsonRpcErrorCode.InternalError, message: 'Internal error', data: undefined };
      const code = e.code === -32002 ? JsonRpcErrorCode.InvalidParams : e.code;
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: call.id,
        error: { code, message: e.message, ...(e.data !== undefined && { data: e.data }) },
      });
      call.finish(body, HTTP_STATUS_OF[code] ?? 200);
    } finally {
      call.settle();
    }
  }

  /** The result's bytes with the 2026-07-28 encoding; list pages are serialized once. */
  private encode(method: string, result: McpResult): string | Buffer {
    if (!isListMethod(method)) {
      // The common result (no resultType, no _meta, not cacheable) gets its stamp appended to its
      // JSON: the same bytes as stamping a copy, without the copies.
      if (
        result.resultType === undefined &&
        result._meta === undefined &&
        !CACHEABLE_METHODS.has(method)
      ) {
        const json = JSON.stringify(result);
        return json.length > 2
          ? `${json.slice(0, -1)},${this.completeStamp}`
          : `{${this.completeStamp}`;
      }
      return JSON.stringify(this.stamp(method, result));
    }
    let bytes = this.lists.get(result);
    if (!bytes) {
      bytes = Buffer.from(JSON.stringify(this.stamp(method, result)));
      this.lists.set(result, bytes);
    }
    return bytes;
  }

  /**
   * The SDK's 2026-07-28 encode contract: `resultType` (`complete` unless a multi-round method
   * says otherwise), `ttlMs`/`cacheScope` on complete cacheable results (the handler's valid
   * values, else the configured list hint, else not cached and private), then `serverInfo` in
   * `_meta` unless the result names one.
   */
  private stamp(method: string, result: McpResult): McpResult {
    let out = result;
    const type = out.resultType;
    if (type === undefined) out = { ...out, resultType: 'complete' };
    else if (type !== 'complete' && !MULTI_ROUND_METHODS.has(method))
      throw new Error(`${method} answered resultType ${JSON.stringify(type)}, which it cannot`);
    if (out.resultType === 'complete' && CACHEABLE_METHODS.has(method)) {
      const hint = isListMethod(method) ? this.dispatcher.listCacheHint : undefined;
      const ttlMs = isTtl(out.ttlMs) ? out.ttlMs : (hint?.ttlMs ?? 0);
      const cacheScope = isScope(out.cacheScope) ? out.cacheScope : (hint?.cacheScope ?? 'private');
      out = { ...out, ttlMs, cacheScope };
    }
    const meta = out._meta;
    if (meta === undefined) return { ...out, _meta: this.serverInfoMeta };
    if (!isObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return out;
    return { ...out, _meta: { ...meta, ...this.serverInfoMeta } };
  }
}

const LOG_LEVELS: readonly LoggingLevel[] = LOGGING_LEVELS;

/** HTTP status of the JSON-RPC errors that do not answer 200, as the SDK's transport sends them. */
const HTTP_STATUS_OF: Readonly<Record<number, number>> = {
  [JsonRpcErrorCode.MissingRequiredClientCapability]: 400,
  [JsonRpcErrorCode.MethodNotFound]: 404,
};

/** Methods whose results may be `input_required` on 2026-07-28. */
const MULTI_ROUND_METHODS: ReadonlySet<string> = new Set([
  'tools/call',
  'prompts/get',
  'resources/read',
]);

/** Methods whose complete results carry `ttlMs` / `cacheScope` on 2026-07-28. */
const CACHEABLE_METHODS: ReadonlySet<string> = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'server/discover',
]);

const isTtl = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isScope = (v: unknown): v is 'public' | 'private' => v === 'public' || v === 'private';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const NO_SERVER_REQUESTS = () =>
  Promise.reject(
    new Error(
      'Protocol 2026-07-28 has no server-to-client requests: use ctx.elicit(), ctx.sample() or ctx.listRoots(), which end the round with input_required',
    ),
  );

/**
 * One 2026-07-28 request over HTTP: the {@link McpCall} the dispatcher serves, and its exchange
 * (a JSON body, or an SSE stream once the call sends a notification). One object per request;
 * the abort signal is built only if something reads it.
 */
export class ModernCall implements McpCall {
  readonly id: string | number;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly meta?: Record<string, unknown>;
  readonly envelope?: Record<string, unknown>;
  readonly origin: McpCallOrigin;
  readonly target?: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
  readonly inputResponses?: Readonly<Record<string, unknown>>;
  readonly requestState?: unknown;
  readonly send = NO_SERVER_REQUESTS;
  toolError?: ToolError;
  private abort?: AbortController;
  private sse = false;
  /** Index in LOG_LEVELS of the lowest level the client asked for; Infinity when none. */
  private readonly logThreshold: number;

  constructor(
    readonly server: string,
    message: JSONRPCRequest,
    private readonly res: ServerResponse,
    origin: McpCallOrigin,
    private readonly mode: NonNullable<McpHttpOptions['responseMode']>,
  ) {
    const params = (isObject(message.params) ? message.params : {}) as Record<string, unknown>;
    const { meta, envelope } = splitMeta(params._meta);
    this.id = message.id;
    this.method = message.method;
    this.params = params;
    this.meta = meta;
    this.envelope = envelope;
    this.origin = {
      ...origin,
      clientInfo: envelope?.[CLIENT_INFO_META_KEY] as McpCallOrigin['clientInfo'],
      clientCapabilities: envelope?.[
        CLIENT_CAPABILITIES_META_KEY
      ] as McpCallOrigin['clientCapabilities'],
    };
    const address = addressOf(this.method, params);
    this.target = address.target;
    this.arguments = address.arguments;
    if (isObject(params.inputResponses)) this.inputResponses = params.inputResponses;
    this.requestState = params.requestState;
    // On 2026-07-28 a call gets log notifications only when its envelope names a log level.
    const requested = LOG_LEVELS.indexOf(String(envelope?.[LOG_LEVEL_META_KEY]) as LoggingLevel);
    this.logThreshold = requested === -1 ? Infinity : requested;
  }

  /** Aborts when the client goes away before the answer is written. */
  get signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      if (this.res.destroyed && !this.res.writableFinished) this.abort.abort();
      else this.res.on('close', this.onClose);
    }
    return this.abort.signal;
  }

  private readonly onClose = (): void => {
    if (!this.res.writableFinished) this.abort?.abort();
  };

  /** Stops watching the connection once the answer is written. */
  settle(): void {
    if (this.abort) this.res.off('close', this.onClose);
  }

  notify(message: McpNotification): Promise<void> {
    if (this.mode === 'json' || this.res.writableEnded) return Promise.resolve();
    this.openSse();
    this.res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', ...message })}\n\n`);
    return Promise.resolve();
  }

  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    if (LOG_LEVELS.indexOf(level) < this.logThreshold) return Promise.resolve();
    return this.notify({
      method: 'notifications/message',
      params: { level, data, ...(logger && { logger }) },
    });
  }

  /** Ends with `{"result":<json>,"jsonrpc":"2.0","id":<id>}`, never re-encoding the result. */
  finishResult(result: string | Buffer): void {
    const head = '{"result":';
    const tail = `,"jsonrpc":"2.0","id":${JSON.stringify(this.id)}}`;
    if (this.sse || this.mode === 'sse') return this.finish(head + result.toString() + tail);
    if (this.res.writableEnded) return;
    if (typeof result === 'string') {
      const body = head + result + tail;
      this.res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      this.res.end(body);
      return;
    }
    this.res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': head.length + result.length + Buffer.byteLength(tail),
    });
    this.res.write(head);
    this.res.write(result);
    this.res.end(tail);
  }

  finish(json: string, status = 200): void {
    if (this.res.writableEnded) return;
    if (this.mode === 'sse' && status === 200) this.openSse();
    if (this.sse) {
      this.res.end(`event: message\ndata: ${json}\n\n`);
      return;
    }
    this.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(json),
    });
    this.res.end(json);
  }

  private openSse(): void {
    if (this.sse) return;
    this.sse = true;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
  }
}
