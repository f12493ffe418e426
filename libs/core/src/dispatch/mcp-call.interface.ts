import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  type LoggingLevel,
} from '@modelcontextprotocol/server';
import type { McpRequest } from '../hooks/mcp-request-hook.interface';

/** A notification a call sends to its client while it runs (progress, log messages). */
export interface McpNotification {
  method: string;
  params?: Record<string, unknown>;
}

/**
 * One JSON-RPC request as Rampart's dispatcher serves it, whatever carried it: the fast
 * 2026-07-28 HTTP exchange, a 2025-11-25 session, stdio or an in-memory connection. A transport
 * decodes its wire format into this object once; the dispatcher, the request hooks, the Nest
 * pipeline (through {@link McpContext}) and the handler all read the same object.
 *
 * It is also the {@link McpRequest} that request hooks see.
 */
export interface McpCall extends McpRequest {
  /** The request's params as the client sent them, `_meta` included. */
  readonly params: Readonly<Record<string, unknown>>;
  /**
   * The 2026-07-28 per-request envelope: the reserved `io.modelcontextprotocol/*` keys of
   * `_meta` (protocol version, client info and capabilities, log level). `meta` holds the rest.
   */
  readonly envelope?: Readonly<Record<string, unknown>>;
  /** Fires when the client cancels the request or goes away. */
  readonly signal: AbortSignal;
  /** The 2025-era session id, when the request belongs to a session. */
  readonly sessionId?: string;
  /** Answers the client sent with a 2026-07-28 retry round (`inputResponses`). */
  readonly inputResponses?: Readonly<Record<string, unknown>>;
  /** The `requestState` a 2026-07-28 retry round echoes, unverified. */
  readonly requestState?: unknown;
  /**
   * Whether the call gathers client input in rounds (an `input_required` result, answered by a
   * new round that carries `inputResponses`) rather than by server-to-client requests. True for
   * calls that run detached from any connection, such as the runs of a task, in either era.
   * @default true on 2026-07-28, false on 2025-11-25
   */
  readonly rounds?: boolean;
  /** Sends a notification on the request's stream; resolves when it is written or dropped. */
  notify(notification: McpNotification): Promise<void>;
  /** Sends a log message, as the era and the client's requested level allow. */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  /** Sends a server-to-client request (2025-11-25 only) and resolves with its result. */
  send(request: McpNotification): Promise<unknown>;
  /**
   * `resources/subscribe` bookkeeping of a long-lived 2025-11-25 connection; absent where the
   * method does not exist (2026-07-28 uses `subscriptions/listen`).
   */
  readonly subscriptions?: {
    subscribe(uri: string): void;
    unsubscribe(uri: string): void;
    /** Whether the connection is subscribed to `uri`. */
    has(uri: string): boolean;
    /** How many URIs the connection is subscribed to. */
    readonly size: number;
  };
}

/** What a transport knows of a request; {@link createMcpCall} derives the rest. */
export type McpCallInit = Omit<McpCall, 'target' | 'arguments' | 'toolError'>;

/**
 * Builds the {@link McpCall} of a decoded request: the target (tool or prompt name, resource URI)
 * and the arguments are read from the params once, here.
 */
export function createMcpCall(init: McpCallInit): McpCall {
  return { ...init, ...addressOf(init.method, init.params) };
}

/**
 * The {@link McpRequest} of a JSON-RPC request that no transport has decoded yet: what an
 * admission hook sees of a 2025-11-25 request before its session serves it.
 */
export function mcpRequestOf(
  server: string,
  method: string,
  id: string | number,
  params: Record<string, unknown> | undefined,
  origin: McpRequest['origin'],
): McpRequest {
  return {
    server,
    method,
    id,
    origin,
    ...(params && { meta: splitMeta(params._meta).meta, ...addressOf(method, params) }),
  };
}

/** The target (tool or prompt name, resource URI) and arguments of a request's params. */
export function addressOf(
  method: string,
  params: Readonly<Record<string, unknown>>,
): Pick<McpRequest, 'target' | 'arguments'> {
  const named = method === 'tools/call' || method === 'prompts/get';
  const target = named ? params.name : params.uri;
  const args = named ? params.arguments : undefined;
  return {
    target: typeof target === 'string' ? target : undefined,
    arguments: isRecord(args) ? args : undefined,
  };
}

/** The `_meta` of a request split into the 2026-07-28 envelope and the rest. */
export function splitMeta(meta: unknown): {
  meta?: Record<string, unknown>;
  envelope?: Record<string, unknown>;
} {
  if (!isRecord(meta)) return {};
  let rest: Record<string, unknown> | undefined;
  let envelope: Record<string, unknown> | undefined;
  for (const key in meta) {
    if (!Object.hasOwn(meta, key)) continue;
    if (ENVELOPE_KEYS.has(key)) (envelope ??= {})[key] = meta[key];
    else (rest ??= {})[key] = meta[key];
  }
  return { meta: rest, envelope };
}

/** The `_meta` keys the protocol reserves for the per-request envelope (2026-07-28). */
const ENVELOPE_KEYS: ReadonlySet<string> = new Set([
  PROTOCOL_VERSION_META_KEY,
  CLIENT_INFO_META_KEY,
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
