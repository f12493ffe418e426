import { Logger } from '@nestjs/common';
import {
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  WebStandardStreamableHTTPServerTransport,
  type EventId,
  type EventStore as SdkEventStore,
  type JSONRPCMessage,
  type LoggingLevel,
  type StreamId,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/server';
import { SessionRestoreError } from '../../errors/session-restore.error';
import type { EventStore } from '../../state/event.store';
import { currentDeliveryId } from '../../state/server-channel';
import type { SessionRecord } from '../../state/session.store';
import { sseMessages } from './web-bridge';

/**
 * The SDK event store of one session, over the server's {@link EventStore}: event ids are looked
 * up in this session's events only, so a `Last-Event-ID` of another session finds nothing (the
 * SDK then answers `400`). A change delivered by several replicas is stored once (the delivery
 * id is the dedupe key). Muted while a replica rebuilds the session, so that the replayed
 * handshake leaves no events.
 */
export class SessionEvents implements SdkEventStore {
  muted = false;
  private unstored = 0;
  private failing = false;

  constructor(
    private readonly store: EventStore,
    private readonly sessionId: string,
    private readonly ttlMs: number,
    private readonly logger: Logger = new Logger('McpSessions'),
  ) {}

  /**
   * Stores an event. When the store fails (Redis down), the message still goes out on the live
   * stream, under an id that no resumption finds: a response is never lost for want of storage.
   */
  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    if (this.muted) return `unstored-${++this.unstored}`;
    const dedupeKey = currentDeliveryId();
    try {
      const id = await this.store.append(this.sessionId, streamId, message, {
        ttlMs: this.ttlMs,
        ...(dedupeKey !== undefined && { dedupeKey }),
      });
      this.failing = false;
      return id;
    } catch (error) {
      if (!this.failing)
        this.logger.warn(
          `The event store does not answer (${String(error)}): events of session ${this.sessionId} are sent without being kept for resumption`,
        );
      this.failing = true;
      return `unstored-${++this.unstored}`;
    }
  }

  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.store.streamOf(this.sessionId, eventId);
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    return (await this.store.replayAfter(this.sessionId, lastEventId, send)) ?? '';
  }
}

/** A server-to-client request id on the wire: `<replica id>.<the SDK's id>`. */
const WIRE_ID = /^([0-9a-f]{12})\.(\d+)$/;

/** The replica that sent a server-to-client request, read from the id the client answers. */
export function replicaOfAnswer(id: unknown): string | undefined {
  return typeof id === 'string' ? WIRE_ID.exec(id)?.[1] : undefined;
}

/** Whether a message is a JSON-RPC response (an answer to a server-to-client request). */
export function isAnswer(message: unknown): message is JSONRPCMessage & { id: string | number } {
  return (
    isJSONRPCResultResponse(message as JSONRPCMessage) ||
    isJSONRPCErrorResponse(message as JSONRPCMessage)
  );
}

/**
 * The SDK's Web-standard Streamable HTTP transport of one session, with the ids of the server's
 * requests to the client (elicitation, sampling, roots) made unique across replicas: the SDK
 * numbers them per server instance from 0, and two replicas may hold a copy of the session.
 * The id on the wire names the replica (`<replica>.<n>`), so an answer posted to another replica
 * finds its way back through the bus; {@link takeAnswer} restores the SDK's id.
 */
export class SessionTransport extends WebStandardStreamableHTTPServerTransport {
  /** Ids of the requests sent and not answered yet, by wire id. */
  private readonly outbound = new Map<string, number>();

  constructor(
    options: WebStandardStreamableHTTPServerTransportOptions,
    private readonly replicaId: string,
  ) {
    super(options);
  }

  override async send(
    message: JSONRPCMessage,
    options?: Parameters<WebStandardStreamableHTTPServerTransport['send']>[1],
  ): Promise<void> {
    if (isJSONRPCRequest(message) && typeof message.id === 'number') {
      const wire = `${this.replicaId}.${message.id}`;
      this.outbound.set(wire, message.id);
      return super.send({ ...message, id: wire }, options);
    }
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      const wire = `${this.replicaId}.${String(requestId)}`;
      if (typeof requestId === 'number' && this.outbound.delete(wire))
        return super.send({ ...message, params: { ...message.params, requestId: wire } }, options);
    }
    return super.send(message, options);
  }

  /**
   * The answer with the SDK's own id when it answers a request this copy sent and is still
   * waiting for; `undefined` otherwise.
   */
  takeAnswer(message: JSONRPCMessage & { id: string | number }): JSONRPCMessage | undefined {
    const id = typeof message.id === 'string' ? this.outbound.get(message.id) : undefined;
    if (id === undefined) return undefined;
    this.outbound.delete(message.id as string);
    return { ...message, id } as JSONRPCMessage;
  }

  override async close(): Promise<void> {
    this.outbound.clear();
    return super.close();
  }
}

/**
 * Posts JSON-RPC messages to a session's transport as if the client had sent them, and returns
 * the JSON-RPC messages of the answer. Uses only the transport's public `handleRequest`.
 */
export async function postToSession(
  transport: WebStandardStreamableHTTPServerTransport,
  body: JSONRPCMessage | JSONRPCMessage[],
  headers: { sessionId?: string; protocolVersion: string },
): Promise<{ status: number; messages: unknown[] }> {
  const request = new Request('http://rampart.internal/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': headers.protocolVersion,
      ...(headers.sessionId && { 'mcp-session-id': headers.sessionId }),
    },
  });
  const response = await transport.handleRequest(request, { parsedBody: body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const messages = !text
    ? []
    : type.includes('text/event-stream')
      ? sseMessages(text)
      : ([] as unknown[]).concat(JSON.parse(text));
  return { status: response.status, messages };
}

/**
 * Rebuilds, on a replica that did not open it, the SDK server and transport of a session as
 * already initialized, from its record.
 *
 * The SDK has no public way to create a transport for an existing session id: its session
 * state (`sessionId`, `_initialized`) and the server's client state (`_clientCapabilities`,
 * `_clientVersion`, the negotiated version) are set only by handling `initialize`. So the
 * handshake is replayed through the public `handleRequest`, with the transport's
 * `sessionIdGenerator` returning the recorded id: `initialize` with the recorded version, client
 * info and capabilities, `notifications/initialized`, and `logging/setLevel` when the client set
 * a level. The caller mutes the session's events meanwhile. The checks below fail loudly if an
 * SDK upgrade changes that behaviour.
 */
export async function restoreInitialized(
  transport: WebStandardStreamableHTTPServerTransport,
  server: { getClientVersion(): unknown },
  record: SessionRecord,
): Promise<void> {
  const init = await postToSession(
    transport,
    {
      jsonrpc: '2.0',
      id: 'rampart-restore',
      method: 'initialize',
      params: {
        protocolVersion: record.protocolVersion,
        capabilities: record.clientCapabilities,
        clientInfo: record.clientInfo,
      },
    },
    { protocolVersion: record.protocolVersion },
  );
  const answer = init.messages.find((m) => (m as { id?: unknown }).id === 'rampart-restore') as
    { result?: { protocolVersion?: string } } | undefined;
  if (
    transport.sessionId !== record.id ||
    answer?.result?.protocolVersion !== record.protocolVersion ||
    server.getClientVersion() === undefined
  )
    throw new SessionRestoreError(
      `Cannot rebuild session ${record.id}: the SDK did not take the replayed initialize ` +
        `(HTTP ${init.status}, ${JSON.stringify(init.messages[0] ?? null)}); ` +
        'has @modelcontextprotocol/server changed how its transport opens a session?',
    );
  await postToSession(
    transport,
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { sessionId: record.id, protocolVersion: record.protocolVersion },
  );
  if (record.logLevel) await setLogLevel(transport, record, record.logLevel);
}

/** Sets the log level of a session's SDK server, as the client's `logging/setLevel` does. */
export async function setLogLevel(
  transport: WebStandardStreamableHTTPServerTransport,
  record: Pick<SessionRecord, 'id' | 'protocolVersion'>,
  level: LoggingLevel,
): Promise<void> {
  const { messages } = await postToSession(
    transport,
    { jsonrpc: '2.0', id: 'rampart-level', method: 'logging/setLevel', params: { level } },
    { sessionId: record.id, protocolVersion: record.protocolVersion },
  );
  if (!messages.some((m) => (m as { result?: unknown }).result !== undefined))
    throw new SessionRestoreError(
      `Cannot set the log level of session ${record.id}: ${JSON.stringify(messages[0] ?? null)}`,
    );
}
