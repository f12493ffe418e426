import {
  isSpecType,
  SERVER_INFO_META_KEY,
  SUBSCRIPTION_ID_META_KEY,
  type Implementation,
  type JSONRPCRequest,
  type ServerCapabilities,
  type ServerEvent,
  type ServerEventBus,
  type SubscriptionFilter,
} from '@modelcontextprotocol/server';
import type { ServerResponse } from 'node:http';
import { LISTEN_FULL, LISTEN_FULL_FOR_CLIENT } from '../../errors/messages.constant';
import { JsonRpcErrorCode } from '../../errors/mcp-protocol.error';
import { writeJsonRpcError } from './node-http';

/** Options of {@link ListenStreams}. */
export interface ListenStreamsOptions {
  /** Largest number of open streams; more are refused with `503` and `-32603`. */
  maxStreams: number;
  /** Largest number of open streams per client key; more are refused with `503` and `-32603`. */
  maxStreamsPerClient: number;
  /** `Retry-After` of a refusal, in milliseconds (sent in whole seconds). */
  retryAfterMs: number;
  /** Interval of the SSE keep-alive comment, in milliseconds; `0` turns it off. */
  keepAliveMs: number;
}

/** One open `subscriptions/listen` stream. */
interface Stream {
  /** The subscription id: the listen request's JSON-RPC id. */
  id: string | number;
  /** The client the stream counts against. */
  clientKey: string;
  res: ServerResponse;
  filter: SubscriptionFilter;
  /** Ends the stream; `graceful` sends the final `subscriptions/listen` result first. */
  close(graceful: boolean): void;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

const NOTIFICATION_OF: Record<ServerEvent['kind'], string> = {
  tools_list_changed: 'notifications/tools/list_changed',
  prompts_list_changed: 'notifications/prompts/list_changed',
  resources_list_changed: 'notifications/resources/list_changed',
  resource_updated: 'notifications/resources/updated',
};

/**
 * The 2026-07-28 `subscriptions/listen` streams of one endpoint. Each stream is an SSE response
 * that opens with `notifications/subscriptions/acknowledged` (the honoured part of the filter),
 * then carries the change notifications the filter asked for, every frame tagged with the
 * subscription id (the listen request's id). Change events come from the server's event bus, so
 * a change made anywhere (registry, `McpServerHost.notify*`, another replica through the
 * notification bus) reaches every open stream. Streams are capped on this replica, overall and
 * per client key; a refusal is `503` with `Retry-After`.
 */
export class ListenStreams {
  private readonly open = new Set<Stream>();
  /** Open streams per client key. */
  private readonly perClient = new Map<string, number>();
  private keepAlive?: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    bus: ServerEventBus,
    private readonly capabilities: ServerCapabilities,
    private readonly serverInfo: Implementation,
    private readonly options: ListenStreamsOptions,
  ) {
    this.unsubscribe = bus.subscribe((event) => this.deliver(event));
  }

  /** Number of open streams. */
  get size(): number {
    return this.open.size;
  }

  /** Open streams of one client. */
  sizeOf(clientKey: string): number {
    return this.perClient.get(clientKey) ?? 0;
  }

  /**
   * Answers one `subscriptions/listen` request; the response stays open until either side ends
   * it. Past the stream caps (overall, or for `clientKey`), answers `503` with `Retry-After`.
   */
  serve(message: JSONRPCRequest, res: ServerResponse, clientKey = ''): void {
    const id = message.id;
    const { maxStreams, maxStreamsPerClient } = this.options;
    const full =
      this.open.size >= maxStreams
        ? LISTEN_FULL(maxStreams)
        : this.sizeOf(clientKey) >= maxStreamsPerClient
          ? LISTEN_FULL_FOR_CLIENT(maxStreamsPerClient)
          : undefined;
    if (full)
      return writeJsonRpcError(
        res,
        503,
        JsonRpcErrorCode.InternalError,
        full,
        id,
        { limit: this.open.size >= maxStreams ? 'maxListenStreams' : 'maxListenStreamsPerClient' },
        { 'retry-after': String(Math.ceil(this.options.retryAfterMs / 1000)) },
      );
    const requested = (message.params as { notifications?: unknown } | undefined)?.notifications;
    if (!requested || typeof requested !== 'object' || !isSpecType.SubscriptionFilter(requested))
      return writeJsonRpcError(
        res,
        200,
        JsonRpcErrorCode.InvalidParams,
        "Invalid params: 'notifications' is required and must be a valid SubscriptionFilter",
        id,
      );
    const filter = this.honoured(requested);
    const stamp = { [SUBSCRIPTION_ID_META_KEY]: id };
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    const stream: Stream = {
      id,
      clientKey,
      res,
      filter,
      close: (graceful) => {
        const wasOpen = this.open.delete(stream);
        if (wasOpen) this.count(clientKey, -1);
        if (!wasOpen && res.writableEnded) return;
        if (graceful && !res.writableEnded)
          writeFrame(res, {
            jsonrpc: '2.0',
            id,
            result: {
              resultType: 'complete',
              _meta: { ...stamp, [SERVER_INFO_META_KEY]: this.serverInfo },
            },
          });
        res.end();
        this.stopKeepAliveIfIdle();
      },
    };
    writeFrame(res, {
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { _meta: stamp, notifications: filter },
    });
    if (Object.keys(filter).length === 0) return stream.close(true);
    this.open.add(stream);
    this.count(clientKey, 1);
    res.on('close', () => stream.close(false));
    this.startKeepAlive();
  }

  /** Ends every stream gracefully (server shutdown) and stops listening to the bus. */
  close(): void {
    this.unsubscribe();
    // Deleting the current entry while iterating a Set is safe.
    for (const stream of this.open) stream.close(true);
  }

  /** The part of a filter this server can deliver, as its capabilities declare. */
  private honoured(requested: SubscriptionFilter): SubscriptionFilter {
    const caps = this.capabilities;
    const filter: SubscriptionFilter = {};
    if (requested.toolsListChanged === true && caps.tools?.listChanged)
      filter.toolsListChanged = true;
    if (requested.promptsListChanged === true && caps.prompts?.listChanged)
      filter.promptsListChanged = true;
    if (requested.resourcesListChanged === true && caps.resources?.listChanged)
      filter.resourcesListChanged = true;
    if (requested.resourceSubscriptions?.length && caps.resources?.subscribe)
      filter.resourceSubscriptions = [...requested.resourceSubscriptions];
    return filter;
  }

  private deliver(event: ServerEvent): void {
    for (const stream of this.open) {
      if (!accepts(stream.filter, event)) continue;
      writeFrame(stream.res, {
        jsonrpc: '2.0',
        method: NOTIFICATION_OF[event.kind],
        params: {
          ...event.params,
          ...(event.kind === 'resource_updated' && { uri: event.uri }),
          _meta: { ...event.params?._meta, [SUBSCRIPTION_ID_META_KEY]: stream.id },
        },
      });
    }
  }

  private count(clientKey: string, delta: number): void {
    const n = (this.perClient.get(clientKey) ?? 0) + delta;
    if (n > 0) this.perClient.set(clientKey, n);
    else this.perClient.delete(clientKey);
  }

  private startKeepAlive(): void {
    if (this.keepAlive || this.options.keepAliveMs <= 0) return;
    this.keepAlive = setInterval(() => {
      for (const { res } of this.open) res.write(': keepalive\n\n');
    }, this.options.keepAliveMs);
    this.keepAlive.unref();
  }

  private stopKeepAliveIfIdle(): void {
    if (this.open.size > 0 || !this.keepAlive) return;
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}

function accepts(filter: SubscriptionFilter, event: ServerEvent): boolean {
  switch (event.kind) {
    case 'tools_list_changed':
      return filter.toolsListChanged === true;
    case 'prompts_list_changed':
      return filter.promptsListChanged === true;
    case 'resources_list_changed':
      return filter.resourcesListChanged === true;
    case 'resource_updated':
      return filter.resourceSubscriptions?.includes(event.uri) ?? false;
  }
}

/** Writes one JSON-RPC message as a single-line SSE event. */
function writeFrame(res: ServerResponse, message: object): void {
  if (!res.writableEnded) res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}
