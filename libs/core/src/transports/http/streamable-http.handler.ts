import { Logger } from '@nestjs/common';
import {
  isJsonContentType,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  ProtocolErrorCode,
  validateHostHeader,
  validateOriginHeader,
  type AuthInfo,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { McpCallOrigin, McpTraceContext } from '../../context/mcp-context';
import { mcpRequestOf } from '../../dispatch/mcp-call.interface';
import type { McpRequest } from '../../hooks/mcp-request-hook.interface';
import { isMcpProtocolError, JsonRpcErrorCode } from '../../errors/mcp-protocol.error';
import type { McpIdentity } from '../../interfaces/mcp-identity.interface';
import type {
  McpHttpOptions,
  McpModuleOptions,
} from '../../interfaces/mcp-module-options.interface';
import {
  DEFAULT_MAX_BODY_BYTES,
  LEGACY_PROTOCOL_VERSION,
  MODERN_PROTOCOL_VERSION,
} from '../../mcp.constants';
import type { McpServerFactory } from '../../protocol/mcp-server-factory';
import { InboundClassifier } from './inbound-classifier';
import type { ToolEntry } from '../../registry/registry.interfaces';
import type { McpState } from '../../state/mcp-state';
import { LegacySessionManager } from '../session/legacy-sessions';
import { defaultClientKey } from './client-key';
import { isPromiseLike } from '../../hooks/maybe-promise';
import { ListenStreams } from './listen-streams';
import { ModernFastPath } from './modern-fast-path';
import { checkParamHeaders, paramHeadersOf, type ParamHeader } from './param-headers';
import { parseJson, readBody, tooLarge, writeJsonRpcError } from './node-http';
import {
  checkStandardHeaders,
  HEADER_MISMATCH,
  trimOws,
  type StandardHeaders,
} from './standard-headers';

/** A body the adapter already parsed, or a marker that it has not read the stream. */
export type PreparsedBody = { parsed: true; value: unknown } | { parsed: false };

/** Versions served on the stateless path, as `-32022` errors list them. */
const MODERN_VERSIONS = [MODERN_PROTOCOL_VERSION];
/** Largest number of open `subscriptions/listen` streams per replica (the SDK's default). */
export const DEFAULT_MAX_LISTEN_STREAMS = 1024;
/** Largest number of open `subscriptions/listen` streams per client and replica. */
export const DEFAULT_MAX_LISTEN_STREAMS_PER_CLIENT = 32;
/** Largest number of 2025-era sessions. */
export const DEFAULT_MAX_SESSIONS = 10_000;
/** Largest number of 2025-era sessions per client. */
export const DEFAULT_MAX_SESSIONS_PER_CLIENT = 100;
/** `Retry-After` of a refusal at a cap, in milliseconds. */
export const DEFAULT_CAPACITY_RETRY_AFTER_MS = 5_000;
/** Most messages of a 2025-era JSON-RPC batch (the SDK's bound, checked here before routing). */
const MAX_LEGACY_BATCH = 100;
/** Interval of SSE keep-alive comments on listen streams, in milliseconds (the SDK's default). */
const SSE_KEEP_ALIVE_MS = 15_000;

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function standardHeadersOf(req: IncomingMessage): StandardHeaders {
  const get = (name: string) => {
    const value = header(req, name);
    return value === undefined ? undefined : trimOws(value);
  };
  return {
    protocolVersion: get('mcp-protocol-version'),
    method: get('mcp-method'),
    name: get('mcp-name'),
  };
}

/**
 * The Streamable HTTP endpoint of one server, independent of Express or Fastify: DNS-rebinding
 * checks, body limits, era classification (the SDK's validation ladder: JSON-RPC shape,
 * `MCP-Protocol-Version`, `Mcp-Method`/`Mcp-Name` header checks), then 2026-07-28 requests on a
 * per-request SDK server and 2025-11-25 traffic on sessions.
 */
export class StreamableHttpHandler {
  private readonly logger: Logger;
  private readonly maxBodyBytes: number;
  private allowedHosts?: string[] | null;
  private readonly allowedOrigins?: string[];
  private readonly sessions?: LegacySessionManager;
  private readonly listen: ListenStreams;
  private readonly fastPath: ModernFastPath;
  /** The SDK's classification of each request, remembered for accepted 2026-07-28 requests. */
  private readonly classifier = new InboundClassifier();
  /** The `x-mcp-header` declarations of each tool, computed on its first call. */
  private readonly paramHeaders = new WeakMap<ToolEntry, readonly ParamHeader[]>();
  /** `Host` values the SDK accepted against {@link allowedHosts}. */
  private readonly acceptedHosts = new AcceptedValues();
  /** `Origin` values the SDK accepted against {@link allowedOrigins}. */
  private readonly acceptedOrigins = new AcceptedValues();

  constructor(
    private readonly factory: McpServerFactory,
    private readonly options: McpModuleOptions,
    private readonly http: McpHttpOptions,
    /** Whether the app listens on loopback only; decides the default Host allowlist. */
    private readonly loopbackOnly: () => boolean,
    /** Where sessions, their events and change notifications live. */
    state: McpState,
  ) {
    this.logger = new Logger(`Mcp:${options.name}:http`);
    this.maxBodyBytes = http.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (http.allowedHosts !== false && http.allowedHosts) this.allowedHosts = http.allowedHosts;
    else if (http.allowedHosts === false) this.allowedHosts = null;
    if (http.allowedOrigins !== false)
      this.allowedOrigins = http.allowedOrigins ?? localhostAllowedOrigins();
    const retryAfterMs = http.capacityRetryAfterMs ?? DEFAULT_CAPACITY_RETRY_AFTER_MS;
    if (http.legacySessions !== false)
      this.sessions = new LegacySessionManager(
        factory,
        {
          idleTtlMs: http.sessionIdleTtlMs ?? 30 * 60_000,
          maxSessions: http.maxSessions ?? DEFAULT_MAX_SESSIONS,
          maxSessionsPerClient: http.maxSessionsPerClient ?? DEFAULT_MAX_SESSIONS_PER_CLIENT,
          retryAfterMs,
        },
        state,
      );
    this.fastPath = new ModernFastPath(factory.dispatcher, http.responseMode ?? 'auto');
    this.listen = new ListenStreams(
      factory.events,
      factory.dispatcher.modernCapabilities,
      factory.serverInfo,
      {
        maxStreams: http.maxListenStreams ?? DEFAULT_MAX_LISTEN_STREAMS,
        maxStreamsPerClient:
          http.maxListenStreamsPerClient ?? DEFAULT_MAX_LISTEN_STREAMS_PER_CLIENT,
        retryAfterMs,
        keepAliveMs: SSE_KEEP_ALIVE_MS,
      },
    );
  }

  /**
   * Whether the endpoint takes `OPTIONS` requests too: when a hook sees HTTP requests (CORS
   * preflights are its to answer). Otherwise the app's own middleware or adapter answers them.
   */
  get routesOptions(): boolean {
    return this.factory.hooks.seesHttp;
  }

  /** Largest body accepted, in bytes. */
  get bodyLimit(): number {
    return this.maxBodyBytes;
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: PreparsedBody,
    nativeRequest: unknown,
  ): Promise<void> {
    let value: unknown;
    try {
      const hooks = this.factory.hooks;
      // First, so that headers set here (security headers, CORS) are on every answer.
      if (hooks.seesHttp) {
        const open = hooks.onHttpRequest({
          server: this.options.name,
          request: req,
          response: res,
          native: nativeRequest,
        });
        if (!(isPromiseLike(open) ? await open : open)) return;
      }
      if (!this.checkDnsRebinding(req, res)) return;
      if (!this.checkHttpMethod(req, res)) return;
      if (req.method === 'POST') {
        if (!isJsonContentType(header(req, 'content-type'))) return this.rejectMediaType(res);
        if (body.parsed) {
          value = body.value;
          // The adapter's own parser may allow more than this endpoint does.
          if (Number(req.headers['content-length']) > this.maxBodyBytes)
            throw tooLarge(this.maxBodyBytes);
        } else value = parseJson(await readBody(req, this.maxBodyBytes));
      }
      let claimed = hooks.authenticates
        ? hooks.authenticate({
            server: this.options.name,
            transport: 'http',
            http: { server: this.options.name, request: req, response: res, native: nativeRequest },
          })
        : undefined;
      if (isPromiseLike(claimed)) claimed = await claimed;
      const identity = claimed ?? this.identify(nativeRequest);
      const headers = standardHeadersOf(req);
      const outcome = this.classifier.classify({
        httpMethod: req.method ?? 'GET',
        protocolVersionHeader: headers.protocolVersion,
        mcpMethodHeader: headers.method,
        mcpNameHeader: headers.name,
        body: value,
      });
      if (outcome.kind === 'reject')
        return writeJsonRpcError(
          res,
          outcome.httpStatus,
          outcome.code,
          outcome.message,
          idOf(value),
          outcome.data,
        );
      const trace = headerTrace(req);
      if (outcome.kind === 'legacy') {
        if (!this.sessions)
          return writeJsonRpcError(
            res,
            400,
            JsonRpcErrorCode.InvalidRequest,
            `This server only serves protocol ${MODERN_PROTOCOL_VERSION}`,
            idOf(value),
          );
        // A batch (clients of protocol 2025-03-26 and older may send one) is refused past the
        // SDK's own bound before any of it is routed or admitted.
        if (Array.isArray(value) && value.length > MAX_LEGACY_BATCH)
          return writeJsonRpcError(
            res,
            400,
            JsonRpcErrorCode.InvalidRequest,
            `Invalid Request: Batch must not exceed ${MAX_LEGACY_BATCH} messages`,
            null,
          );
        // A `call_tool` call of a progressive server is admitted and served as the call it makes.
        const dispatcher = this.factory.dispatcher;
        if (isJsonRpcRequest(value)) value = dispatcher.resolve(value);
        else if (Array.isArray(value))
          value = value.map((m: unknown) => (isJsonRpcRequest(m) ? dispatcher.resolve(m) : m));
        // Every request of a batch is admitted as a request alone would be: a batch had skipped
        // the admission hooks (endpoint rate limits, load shedding), 100 calls at a time.
        if (this.factory.hooks.admits)
          for (const message of Array.isArray(value) ? (value as unknown[]) : [value])
            if (isJsonRpcRequest(message))
              await this.admit(
                mcpRequestOf(this.options.name, message.method, message.id, message.params, {
                  transport: 'http',
                  era: 'legacy',
                  identity,
                  request: nativeRequest,
                  headerTrace: trace,
                }),
                res,
              );
        return await this.sessions.handle(req, res, value, {
          identity,
          clientKey: this.clientKeyOf(req, nativeRequest, identity),
          origin: (ctx, server) => this.legacyOrigin(ctx, server, identity, nativeRequest, trace),
        });
      }
      if (outcome.messageKind === 'notification') {
        res.writeHead(202).end();
        return;
      }
      const message = outcome.message;
      const revision = outcome.classification.revision;
      if (revision !== MODERN_PROTOCOL_VERSION)
        return writeJsonRpcError(
          res,
          400,
          ProtocolErrorCode.UnsupportedProtocolVersion,
          `Unsupported protocol version: ${revision ?? 'none'}`,
          message.id,
          { supported: MODERN_VERSIONS, requested: revision ?? 'unknown' },
        );
      const headerProblem =
        checkStandardHeaders(headers, message.method, message.params) ??
        (message.method === 'tools/call'
          ? this.paramHeaderProblem(message.params, req.headers)
          : undefined);
      if (headerProblem)
        return writeJsonRpcError(
          res,
          400,
          HEADER_MISMATCH,
          `Bad Request: the request headers and body disagree: ${headerProblem}`,
          message.id,
        );
      const modern = this.fastPath.decode(message, res, {
        transport: 'http',
        era: 'modern',
        protocolVersion: MODERN_PROTOCOL_VERSION,
        identity,
        request: nativeRequest,
        headerTrace: trace,
      });
      if (this.factory.hooks.admits) {
        const admitted = this.admit(modern, res);
        if (admitted) await admitted;
      }
      if (message.method === 'subscriptions/listen')
        return this.listen.serve(message, res, this.clientKeyOf(req, nativeRequest, identity));
      await this.fastPath.serve(modern);
    } catch (error) {
      this.fail(res, error, idOf(value));
    }
  }

  /**
   * Runs the admission hooks (`@McpHook()` providers with `admit`) on a JSON-RPC request, before
   * the era's transport sees it. A refusal throws; {@link fail} answers it with its HTTP status
   * and `Retry-After`. An admitted request is released when its response is over. Called only
   * when a hook admits, so servers without one skip it.
   */
  private admit(request: McpRequest, res: ServerResponse): Promise<void> | undefined {
    const release = this.factory.hooks.admit(request);
    if (isPromiseLike(release))
      return release.then((later) => void (later && res.once('close', later)));
    if (release) res.once('close', release);
    return undefined;
  }

  /** Checks the `Mcp-Param-*` headers of a `tools/call` against the tool's `x-mcp-header`s. */
  private paramHeaderProblem(
    params: Record<string, unknown> | undefined,
    headers: IncomingHttpHeaders,
  ): string | undefined {
    const name = params?.name;
    const tool = typeof name === 'string' ? this.factory.registry.tools.get(name) : undefined;
    if (!tool) return undefined;
    let declared = this.paramHeaders.get(tool);
    if (!declared) {
      declared = paramHeadersOf(tool.definition.inputSchema);
      this.paramHeaders.set(tool, declared);
    }
    return declared.length > 0
      ? checkParamHeaders(declared, params?.arguments, headers)
      : undefined;
  }

  /** The client a request counts against for the per-client caps (`http.clientKey`). */
  private clientKeyOf(
    req: IncomingMessage,
    nativeRequest: unknown,
    identity: McpIdentity | undefined,
  ): string {
    return this.http.clientKey
      ? this.http.clientKey(nativeRequest, identity)
      : defaultClientKey(req, nativeRequest, identity);
  }

  /**
   * Answers a body the adapter's parser rejected (malformed JSON, too large, a media type it has
   * no parser for). A POST whose Content-Type is not JSON gets `415` whatever its parser said, so
   * that Express and Fastify answer alike. A body too large names the limit that refused it: the
   * parser's own (`limitBytes`) when it says, else the endpoint's `maxBodyBytes`.
   */
  rejectBody(
    req: IncomingMessage,
    res: ServerResponse,
    kind: 'parse' | 'too-large' | 'media-type',
    detail?: string,
    limitBytes?: number,
  ): void {
    if (kind === 'media-type') return this.rejectMediaType(res, detail);
    if (!isJsonContentType(header(req, 'content-type'))) return this.rejectMediaType(res);
    if (kind === 'too-large') return this.fail(res, tooLarge(limitBytes ?? this.maxBodyBytes));
    writeJsonRpcError(
      res,
      400,
      JsonRpcErrorCode.ParseError,
      `Parse error${detail ? `: ${detail}` : ''}`,
    );
  }

  /** Ends the `subscriptions/listen` streams and the 2025-era sessions. */
  async close(): Promise<void> {
    this.listen.close();
    await this.sessions?.close();
  }

  private fail(res: ServerResponse, error: unknown, id: unknown = null): void {
    if (isMcpProtocolError(error))
      return writeJsonRpcError(
        res,
        error.httpStatus === 200 ? 400 : error.httpStatus,
        error.code,
        error.message,
        id,
        error.data,
        error.retryAfterMs === undefined
          ? error.headers
          : { ...error.headers, 'retry-after': String(Math.ceil(error.retryAfterMs / 1000)) },
      );
    this.logger.error(
      'Unexpected error in the MCP endpoint',
      error instanceof Error ? error.stack : String(error),
    );
    writeJsonRpcError(res, 500, JsonRpcErrorCode.InternalError, 'Internal error', id);
  }

  /**
   * GET and DELETE are 2025-11-25 session operations (the SSE stream, ending a session). On
   * 2026-07-28, which has no sessions, and on an endpoint that serves no 2025 sessions, they get
   * `405` with `Allow: POST`, as the SDK's own HTTP entry answers them. A body-less request names
   * its era only by its `MCP-Protocol-Version` header.
   */
  private checkHttpMethod(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method === 'POST') return true;
    if (req.method === 'OPTIONS') {
      // Routed only for hooks that see HTTP requests (CORS); none of them answered this one.
      res.writeHead(204, { allow: this.sessions ? 'GET, POST, DELETE' : 'POST' }).end();
      return false;
    }
    if (this.sessions && !isModernRevision(standardHeadersOf(req).protocolVersion)) return true;
    writeJsonRpcError(
      res,
      405,
      JsonRpcErrorCode.ServerError,
      `Method not allowed: protocol ${MODERN_PROTOCOL_VERSION} takes POST only`,
      null,
      undefined,
      { allow: 'POST' },
    );
    return false;
  }

  /** `415`: the body of a POST must be `application/json` (parameters allowed, any case). */
  private rejectMediaType(res: ServerResponse, detail?: string): void {
    writeJsonRpcError(
      res,
      415,
      JsonRpcErrorCode.ServerError,
      `Unsupported Media Type: ${detail ?? 'Content-Type must be application/json'}`,
    );
  }

  private checkDnsRebinding(req: IncomingMessage, res: ServerResponse): boolean {
    // The default Host allowlist depends on the listen address, known once the app listens.
    if (this.allowedHosts === undefined)
      this.allowedHosts = this.loopbackOnly() ? localhostAllowedHostnames() : null;
    const hostHeader = header(req, 'host');
    if (this.allowedHosts && !this.acceptedHosts.has(hostHeader)) {
      const host = validateHostHeader(hostHeader, this.allowedHosts);
      if (!host.ok) {
        writeJsonRpcError(res, 403, JsonRpcErrorCode.InvalidRequest, `Forbidden: ${host.message}`);
        return false;
      }
      this.acceptedHosts.add(hostHeader);
    }
    const originHeader = header(req, 'origin');
    if (
      this.allowedOrigins &&
      originHeader !== undefined &&
      !this.acceptedOrigins.has(originHeader)
    ) {
      const origin = validateOriginHeader(originHeader, this.allowedOrigins);
      if (!origin.ok) {
        writeJsonRpcError(
          res,
          403,
          JsonRpcErrorCode.InvalidRequest,
          `Forbidden: ${origin.message}`,
        );
        return false;
      }
      this.acceptedOrigins.add(originHeader);
    }
    return true;
  }

  private identify(nativeRequest: unknown): McpIdentity | undefined {
    if (this.options.identify) return this.options.identify(nativeRequest);
    // Express middleware sets these on the request; Nest's Fastify middleware on the raw one.
    const r = nativeRequest as {
      user?: Record<string, unknown>;
      auth?: AuthInfo;
      raw?: { user?: Record<string, unknown>; auth?: AuthInfo };
    };
    const user = r.user ?? r.raw?.user;
    if (user && typeof user === 'object') {
      const subject = user.sub ?? user.id ?? user.subject;
      if (subject !== undefined)
        return {
          subject: typeof subject === 'string' ? subject : JSON.stringify(subject),
          ...(typeof user.tenant === 'string' && { tenant: user.tenant }),
          ...(Array.isArray(user.scopes) && { scopes: user.scopes as string[] }),
          claims: user,
        };
    }
    const auth = r.auth ?? r.raw?.auth;
    if (auth?.clientId)
      return {
        subject: auth.clientId,
        scopes: auth.scopes,
        ...(auth.extra && { claims: auth.extra }),
      };
    return undefined;
  }

  private legacyOrigin(
    ctx: ServerContext,
    server: Server,
    identity: McpIdentity | undefined,
    request: unknown,
    trace?: McpTraceContext,
  ): McpCallOrigin {
    return {
      transport: 'http',
      era: 'legacy',
      identity,
      request,
      headerTrace: trace,
      ...clientOf(ctx, server),
    };
  }
}

/** Client info and capabilities: from the per-request envelope (2026) or the session (2025). */
export function clientOf(
  ctx: ServerContext,
  server: Server,
): Pick<McpCallOrigin, 'clientInfo' | 'clientCapabilities' | 'protocolVersion'> {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  return {
    clientInfo: (envelope?.['io.modelcontextprotocol/clientInfo'] ??
      server.getClientVersion()) as McpCallOrigin['clientInfo'],
    clientCapabilities: (envelope?.['io.modelcontextprotocol/clientCapabilities'] ??
      server.getClientCapabilities()) as McpCallOrigin['clientCapabilities'],
    protocolVersion:
      (envelope?.['io.modelcontextprotocol/protocolVersion'] as string | undefined) ??
      LEGACY_PROTOCOL_VERSION,
  };
}

/**
 * Whether a protocol version names the 2026-07-28 era or a later one. Revisions are ISO dates,
 * so they order as strings (the SDK's own rule); anything else is no revision.
 */
function isModernRevision(version: string | undefined): boolean {
  return (
    version !== undefined &&
    /^\d{4}-\d{2}-\d{2}$/.test(version) &&
    version >= MODERN_PROTOCOL_VERSION
  );
}

/**
 * Header values that the SDK's check accepted, so that a value seen before is not checked again:
 * the SDK's `validateHostHeader` and `validateOriginHeader` parse a URL on every call (4–5 µs of
 * a request, timed in the bench server under load), and their verdict depends only on the value
 * and on the endpoint's allowlist, which does not change once set. Refusals are not kept: a
 * refused value is checked, and refused, every time. Bounded: at most 64 values of at most 256
 * characters; the set starts over when full, so a client sending a new `Host` on every request
 * costs the SDK's check, as before, and takes no memory.
 */
class AcceptedValues {
  private static readonly MAX_VALUES = 64;
  private static readonly MAX_LENGTH = 256;
  private readonly values = new Set<string>();

  has(value: string | undefined): boolean {
    return value !== undefined && this.values.has(value);
  }

  add(value: string | undefined): void {
    if (value === undefined || value.length > AcceptedValues.MAX_LENGTH) return;
    if (this.values.size >= AcceptedValues.MAX_VALUES) this.values.clear();
    this.values.add(value);
  }
}

function headerTrace(req: IncomingMessage): McpTraceContext | undefined {
  const traceparent = header(req, 'traceparent');
  if (!traceparent) return undefined;
  const tracestate = header(req, 'tracestate');
  return { traceparent, ...(tracestate && { tracestate }) };
}

function isJsonRpcRequest(
  body: unknown,
): body is { method: string; id: string | number; params?: Record<string, unknown> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const m = body as { method?: unknown; id?: unknown };
  return typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number');
}

function idOf(body: unknown): unknown {
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as { id?: unknown }).id
    : null;
}
