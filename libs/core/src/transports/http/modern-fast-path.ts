import {
  LOG_LEVEL_META_KEY,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  SERVER_INFO_META_KEY,
  type ClientCapabilities,
  type JSONRPCRequest,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { ServerResponse } from 'node:http';
import type { McpCallOrigin } from '../../context/mcp-context';
import { mcpRequestOf } from '../../hooks/request-hooks';
import type { McpHttpOptions } from '../../interfaces/mcp-module-options.interface';
import {
  isListMethod,
  type ListMethod,
  type McpServerFactory,
} from '../../protocol/mcp-server-factory';

/**
 * The hot path of the 2026-07-28 era, served without a per-request SDK `Server`.
 *
 * Why by hand: a per-request SDK server costs a `Server`, a transport, zod parsing of the request
 * and of the result, a Web `Response` and its stream, and an error object on close; measured in
 * test/bench that is about two thirds of a `tools/call`, and it re-serializes a 200-tool list on
 * every request. The stateless era makes most requests simple request/response exchanges, so
 * `tools/call` (first rounds) and the four list methods are answered here, with exactly the
 * encoding the SDK gives 2026-07-28 results (`resultType`, `ttlMs`/`cacheScope` on lists,
 * `serverInfo` in `_meta`, error codes). Everything else, and every multi-round retry (which
 * carries `inputResponses` or a `requestState` the SDK verifies), goes to the SDK. The e2e and
 * conformance suites run both paths.
 */
export class ModernFastPath {
  private readonly serverInfoMeta: Record<string, unknown>;
  /** Serialized list results by method and cursor, valid for one registry revision. */
  private readonly lists = new Map<string, Buffer>();
  private listsRevision = -1;

  constructor(
    private readonly factory: McpServerFactory,
    private readonly mode: NonNullable<McpHttpOptions['responseMode']>,
  ) {
    this.serverInfoMeta = { [SERVER_INFO_META_KEY]: factory.serverInfo };
  }

  /** Whether `message` is served here; the rest goes to a per-request SDK server. */
  handles(message: JSONRPCRequest): boolean {
    if (isListMethod(message.method)) return true;
    if (message.method !== 'tools/call') return false;
    const params = message.params as Record<string, unknown> | undefined;
    return !(params && ('inputResponses' in params || 'requestState' in params));
  }

  async serve(message: JSONRPCRequest, res: ServerResponse, origin: McpCallOrigin): Promise<void> {
    const exchange = new Exchange(res, this.mode);
    const id = JSON.stringify(message.id);
    try {
      if (isListMethod(message.method)) {
        const method = message.method;
        const page = () => this.list(method, message.params?.cursor);
        const hooks = this.factory.hooks;
        return exchange.finishResult(
          hooks.wraps
            ? ((await hooks.run(
                mcpRequestOf(this.factory.name, method, message.id, message.params, origin),
                async () => page(),
              )) as Buffer)
            : page(),
          id,
        );
      }
      const result = await this.callTool(message, res, origin, exchange);
      exchange.finishResult(Buffer.from(JSON.stringify(this.stamp(result))), id);
    } catch (error) {
      const e = error as { code?: unknown; message?: string; data?: unknown };
      const code = Number.isSafeInteger(e.code)
        ? (e.code as number)
        : ProtocolErrorCode.InternalError;
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        error: {
          // The resource-not-found domain code is sent as invalid params since 2026-07-28.
          code: code === -32002 ? ProtocolErrorCode.InvalidParams : code,
          message: e.message ?? 'Internal error',
          ...(e.data !== undefined && { data: e.data }),
        },
      });
      exchange.finish(body, code === ProtocolErrorCode.MissingRequiredClientCapability ? 400 : 200);
    }
  }

  /** The serialized result of a list page, built once per page and registry revision. */
  private list(method: ListMethod, cursor: unknown): Buffer {
    const revision = this.factory.registry.revision;
    if (revision !== this.listsRevision) {
      this.lists.clear();
      this.listsRevision = revision;
    }
    const key = `${method}\0${typeof cursor === 'string' ? cursor : ''}`;
    let json = this.lists.get(key);
    if (!json) {
      const page = this.factory.list(method, cursor);
      json = Buffer.from(
        JSON.stringify({
          ...page,
          resultType: 'complete',
          ...this.factory.listCacheHint,
          _meta: this.serverInfoMeta,
        }),
      );
      // Only well-formed cursors reach here (a bad one threw), so the map stays bounded by pages.
      this.lists.set(key, json);
    }
    return json;
  }

  private async callTool(
    message: JSONRPCRequest,
    res: ServerResponse,
    origin: McpCallOrigin,
    exchange: Exchange,
  ): Promise<Record<string, unknown>> {
    const params = message.params as Record<string, unknown> | undefined;
    if (!isObject(params) || typeof params.name !== 'string')
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid params: tools/call needs a string "name"',
      );
    if (params.arguments !== undefined && !isObject(params.arguments))
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid params: "arguments" must be an object',
      );
    // The reserved envelope keys are lifted out of the `_meta` the handler sees, as the SDK does.
    let meta: Record<string, unknown> | undefined;
    let envelope: Record<string, unknown> | undefined;
    if (isObject(params._meta))
      for (const [key, value] of Object.entries(params._meta)) {
        if (key.startsWith(ENVELOPE_PREFIX)) (envelope ??= {})[key] = value;
        else (meta ??= {})[key] = value;
      }
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on('close', onClose);
    // On 2026-07-28 a call gets log notifications only when its envelope names a log level.
    const requested = LOG_LEVELS.indexOf(String(envelope?.[LOG_LEVEL_META_KEY]));
    const threshold = requested === -1 ? Infinity : requested;
    const sdkCtx = {
      mcpReq: {
        id: message.id,
        method: message.method,
        _meta: meta,
        envelope,
        signal: abort.signal,
        requestState: () => undefined,
        notify: (n: Record<string, unknown>) => exchange.notify(n),
        log: (level: string, data: unknown, logger?: string) =>
          LOG_LEVELS.indexOf(level) < threshold
            ? Promise.resolve()
            : exchange.notify({
                method: 'notifications/message',
                params: { level, data, ...(logger && { logger }) },
              }),
        send: () =>
          Promise.reject(
            new ProtocolError(
              ProtocolErrorCode.InternalError,
              'Protocol 2026-07-28 has no server-to-client requests',
            ),
          ),
      },
    } as unknown as ServerContext;
    const capabilities = envelope?.['io.modelcontextprotocol/clientCapabilities'] as
      ClientCapabilities | undefined;
    const callOrigin: McpCallOrigin = {
      ...origin,
      clientInfo: envelope?.['io.modelcontextprotocol/clientInfo'] as McpCallOrigin['clientInfo'],
      clientCapabilities: capabilities,
    };
    const hooks = this.factory.hooks;
    const call = () => this.factory.callTool(message, sdkCtx, () => callOrigin);
    try {
      const result = (await (hooks.wraps
        ? hooks.run(
            mcpRequestOf(this.factory.name, 'tools/call', message.id, params, callOrigin),
            call,
          )
        : call())) as Record<string, unknown>;
      if (result.resultType === 'input_required')
        assertCapabilities(result.inputRequests, capabilities);
      return result;
    } finally {
      res.off('close', onClose);
    }
  }

  /** The SDK's 2026-07-28 result encoding: `resultType`, then `serverInfo` in `_meta`. */
  private stamp(result: Record<string, unknown>): Record<string, unknown> {
    const out = result.resultType === undefined ? { ...result, resultType: 'complete' } : result;
    const meta = out._meta;
    if (meta === undefined) return { ...out, _meta: this.serverInfoMeta };
    if (!isObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return out;
    return { ...out, _meta: { ...meta, ...this.serverInfoMeta } };
  }
}

const ENVELOPE_PREFIX = 'io.modelcontextprotocol/';
const LOG_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Refuses input requests the client did not declare it can answer (`-32021`, HTTP 400), with the
 * SDK's rules: form elicitation needs `elicitation` (a bare `{}` counts as form), URL
 * elicitation `elicitation.url`, sampling `sampling` (`sampling.tools` with tools), roots `roots`.
 * The SDK keeps these rules internal, hence this copy.
 */
function assertCapabilities(
  inputRequests: unknown,
  declared: ClientCapabilities | undefined,
): void {
  if (!isObject(inputRequests)) return;
  for (const [key, entry] of Object.entries(inputRequests)) {
    const request = entry as { method?: string; params?: Record<string, unknown> };
    const required = requiredCapabilities(request);
    if (!required) continue;
    const missing = missingCapabilities(required, declared as Record<string, unknown> | undefined);
    if (missing)
      throw new MissingRequiredClientCapabilityError(
        { requiredCapabilities: missing },
        `Cannot request input '${key}' (${request.method}): the request's client capabilities do not declare the required capability`,
      );
  }
}

function requiredCapabilities(request: {
  method?: string;
  params?: Record<string, unknown>;
}): Record<string, Record<string, unknown>> | undefined {
  switch (request.method) {
    case 'elicitation/create':
      return request.params?.mode === 'url'
        ? { elicitation: { url: {} } }
        : { elicitation: { form: {} } };
    case 'sampling/createMessage':
      return request.params?.tools !== undefined || request.params?.toolChoice !== undefined
        ? { sampling: { tools: {} } }
        : { sampling: {} };
    case 'roots/list':
      return { roots: {} };
    default:
      return undefined;
  }
}

function missingCapabilities(
  required: Record<string, Record<string, unknown>>,
  declared: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const missing: Record<string, unknown> = {};
  for (const [capability, members] of Object.entries(required)) {
    const have = declared?.[capability];
    if (have === undefined) {
      missing[capability] = members;
      continue;
    }
    if (!isObject(have)) continue;
    const lenientForm =
      capability === 'elicitation' && have.form === undefined && have.url === undefined;
    const absent = Object.keys(members).filter(
      (m) => have[m] === undefined && !(lenientForm && m === 'form'),
    );
    if (absent.length) missing[capability] = Object.fromEntries(absent.map((m) => [m, members[m]]));
  }
  return Object.keys(missing).length ? missing : undefined;
}

/** One HTTP exchange: a JSON body, or an SSE stream once the call sends a notification. */
class Exchange {
  private sse = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly mode: NonNullable<McpHttpOptions['responseMode']>,
  ) {}

  notify(message: Record<string, unknown>): Promise<void> {
    if (this.mode === 'json' || this.res.writableEnded) return Promise.resolve();
    this.openSse();
    this.res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', ...message })}\n\n`);
    return Promise.resolve();
  }

  /** Ends with `{"result":<bytes>,"jsonrpc":"2.0","id":<id>}`, never re-encoding the bytes. */
  finishResult(result: Buffer, id: string): void {
    const head = '{"result":';
    const tail = `,"jsonrpc":"2.0","id":${id}}`;
    if (this.sse || this.mode === 'sse') return this.finish(head + result.toString() + tail);
    if (this.res.writableEnded) return;
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
