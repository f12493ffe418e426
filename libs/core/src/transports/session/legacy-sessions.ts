import { Logger } from '@nestjs/common';
import {
  isInitializeRequest,
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCMessage,
  type LoggingLevel,
  type Server,
} from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonRpcErrorCode } from '../../errors/mcp-protocol.error';
import {
  SESSION_STORE_UNAVAILABLE,
  SESSIONS_FULL,
  SESSIONS_FULL_FOR_CLIENT,
} from '../../errors/messages.constant';
import type { McpIdentity } from '../../interfaces/mcp-identity.interface';
import {
  LEGACY_PROTOCOL_VERSION,
  LOGGING_LEVELS,
  MODERN_PROTOCOL_VERSION,
} from '../../mcp.constants';
import {
  SUPPORTED_VERSIONS,
  type McpServerFactory,
  type OriginResolver,
} from '../../protocol/mcp-server-factory';
import type { EventStore } from '../../state/event.store';
import type { ServerChannel, SessionMessage } from '../../state/server-channel';
import type { SessionRecord, SessionStore } from '../../state/session.store';
import { writeJsonRpcError } from '../http/node-http';
import {
  isAnswer,
  postToSession,
  replicaOfAnswer,
  restoreInitialized,
  SessionEvents,
  SessionTransport,
  setLogLevel,
} from './session-transport';
import { webRequestOf, writeWebResponse } from './web-bridge';

/** Facts about the HTTP request that opens or continues a 2025-era session. */
export interface LegacyRequestInfo {
  identity?: McpIdentity;
  /** The key the per-client session cap counts the request under. */
  clientKey: string;
  origin: OriginResolver;
}

/** Limits of {@link LegacySessionManager}. */
export interface LegacySessionLimits {
  /** Idle time after which a session ends, in milliseconds. */
  idleTtlMs: number;
  /** Most sessions open at once (over the replicas that share the store). */
  maxSessions: number;
  /** Most sessions open at once per client key. */
  maxSessionsPerClient: number;
  /** `Retry-After` of a refusal, in milliseconds. */
  retryAfterMs: number;
}

/** Where the sessions' state lives and how replicas talk. */
export interface LegacySessionState {
  sessions: SessionStore;
  events: EventStore;
  channel: ServerChannel;
}

/** This replica's copy of a session: its SDK server and transport. */
interface LocalSession {
  readonly id: string;
  readonly server: Server;
  readonly transport: SessionTransport;
  readonly events: SessionEvents;
  /** The protocol version the session negotiated, for the requests Rampart posts itself. */
  readonly protocolVersion: string;
  /** The record revision this copy reflects. */
  revision: number;
  logLevel?: LoggingLevel;
  /** When a request last used this copy, in milliseconds since the epoch. */
  lastUsed: number;
  /** The origin of the last request, for calls whose HTTP request is unknown. */
  origin?: OriginResolver;
  /** Record writes of this copy, in order. */
  writes: Promise<unknown>;
  closed: boolean;
}

/** Versions a 2025-era `initialize` can negotiate, newest first. */
const LEGACY_VERSIONS = SUPPORTED_VERSIONS.filter((v) => v !== MODERN_PROTOCOL_VERSION);

/**
 * The 2025-11-25 era: `initialize` opens a session with its own SDK `Server` and Streamable HTTP
 * transport (SSE responses, the GET stream, DELETE, resumability through the event store). A
 * session is bound to the identity that opened it.
 *
 * The session itself lives in the {@link SessionStore}, its SSE events in the
 * {@link EventStore}; a replica keeps a copy (server and transport) of each session it served,
 * rebuilt from the record when a request for a session opened elsewhere arrives. With shared
 * stores, any replica serves any request of any session. Copies follow the record: they learn
 * of changes (subscriptions, log level, DELETE) from the record's revision and from the bus,
 * and answers to server-to-client requests posted to the wrong replica travel on the bus.
 */
export class LegacySessionManager {
  private readonly logger = new Logger('McpSessions');
  private readonly local = new Map<string, LocalSession>();
  /** Copies being rebuilt, so that concurrent requests rebuild a session once. */
  private readonly restoring = new Map<string, Promise<LocalSession>>();
  /** The origin of each HTTP request handed to a transport, looked up by the SDK's context. */
  private readonly origins = new WeakMap<Request, OriginResolver>();
  private readonly sweep: NodeJS.Timeout;
  private readonly stopListening: () => void;

  constructor(
    private readonly factory: McpServerFactory,
    private readonly limits: LegacySessionLimits,
    private readonly state: LegacySessionState,
  ) {
    this.sweep = setInterval(() => void this.closeIdle(), Math.min(limits.idleTtlMs, 60_000));
    this.sweep.unref();
    this.stopListening = state.channel.onSession((m) => void this.onReplicaMessage(m));
  }

  /** Number of sessions this replica holds a copy of. */
  get size(): number {
    return this.local.size;
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    info: LegacyRequestInfo,
  ): Promise<void> {
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (!sessionId) {
      if (req.method === 'POST' && isInitializeRequest(body as JSONRPCMessage))
        return this.open(req, res, body as InitializeBody, info);
      return writeJsonRpcError(
        res,
        400,
        JsonRpcErrorCode.InvalidRequest,
        'Bad Request: Mcp-Session-Id header is required',
        idOf(body),
      );
    }
    let record: SessionRecord | undefined;
    try {
      record = await this.state.sessions.touch(sessionId);
    } catch (error) {
      return this.unavailable(res, body, error);
    }
    if (!record) {
      void this.closeLocal(sessionId);
      return writeJsonRpcError(
        res,
        404,
        JsonRpcErrorCode.SessionNotFound,
        'Session not found',
        idOf(body),
      );
    }
    if (record.subject !== info.identity?.subject)
      return writeJsonRpcError(
        res,
        403,
        JsonRpcErrorCode.InvalidRequest,
        'Forbidden: the session belongs to another identity',
        idOf(body),
      );
    let session: LocalSession;
    try {
      session = await this.copyOf(record);
    } catch (error) {
      this.logger.error(
        `Cannot serve session ${sessionId} on this replica`,
        error instanceof Error ? error.stack : String(error),
      );
      return writeJsonRpcError(
        res,
        500,
        JsonRpcErrorCode.InternalError,
        'Internal error',
        idOf(body),
      );
    }
    session.lastUsed = Date.now();
    if (req.method === 'POST') {
      const local = this.route(session, body);
      if (local === undefined) {
        res.writeHead(202).end();
        return;
      }
      body = local;
    }
    await this.serve(session, req, res, body, info.origin);
    if (req.method === 'POST') await this.recordLogLevel(session, body);
  }

  /** Ends every copy this replica holds; the sessions themselves stay in the store. */
  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.stopListening();
    const all = [...this.local.values()];
    this.local.clear();
    await Promise.allSettled(all.map((s) => this.closeCopy(s)));
  }

  private async open(
    req: IncomingMessage,
    res: ServerResponse,
    body: InitializeBody,
    info: LegacyRequestInfo,
  ): Promise<void> {
    const params = body.params;
    const now = Date.now();
    const record: SessionRecord = {
      id: randomUUID(),
      ...(info.identity && { subject: info.identity.subject }),
      clientKey: info.clientKey,
      protocolVersion: LEGACY_VERSIONS.includes(params.protocolVersion)
        ? params.protocolVersion
        : LEGACY_PROTOCOL_VERSION,
      clientInfo: params.clientInfo,
      clientCapabilities: params.capabilities ?? {},
      subscriptions: [],
      createdAt: now,
      lastSeen: now,
      idleTtlMs: this.limits.idleTtlMs,
      revision: 1,
    };
    let opening;
    try {
      opening = await this.state.sessions.create(record, this.limits);
    } catch (error) {
      return this.unavailable(res, body, error);
    }
    if (!opening.opened)
      return writeJsonRpcError(
        res,
        503,
        JsonRpcErrorCode.InternalError,
        opening.limit === 'server'
          ? SESSIONS_FULL(this.limits.maxSessions)
          : SESSIONS_FULL_FOR_CLIENT(this.limits.maxSessionsPerClient),
        idOf(body),
        { limit: opening.limit === 'server' ? 'maxSessions' : 'maxSessionsPerClient' },
        { 'retry-after': String(Math.ceil(this.limits.retryAfterMs / 1000)) },
      );
    const session = this.build(record);
    await session.server.connect(session.transport);
    this.adopt(session);
    await this.serve(session, req, res, body, info.origin);
    if (session.transport.sessionId !== record.id) {
      // The SDK refused the handshake (e.g. a bad Accept header): no session was opened.
      await this.closeCopy(session);
      await this.state.sessions.delete(record.id).catch(() => undefined);
    }
  }

  /** This replica's copy of a session, rebuilt from the record when it has none. */
  private async copyOf(record: SessionRecord): Promise<LocalSession> {
    const held = this.local.get(record.id);
    if (held && !held.closed) {
      if (held.revision !== record.revision) await this.follow(held, record);
      return held;
    }
    let restoring = this.restoring.get(record.id);
    if (!restoring) {
      restoring = this.restore(record).finally(() => this.restoring.delete(record.id));
      this.restoring.set(record.id, restoring);
    }
    return restoring;
  }

  private async restore(record: SessionRecord): Promise<LocalSession> {
    const session = this.build(record);
    await session.server.connect(session.transport);
    session.events.muted = true;
    try {
      await restoreInitialized(session.transport, session.server, record);
    } catch (error) {
      await session.transport.close().catch(() => undefined);
      throw error;
    } finally {
      session.events.muted = false;
    }
    session.logLevel = record.logLevel;
    this.adopt(session);
    this.factory.connections.setSubscriptions(session.server, record.subscriptions);
    return session;
  }

  private build(record: SessionRecord): LocalSession {
    const id = record.id;
    const events = new SessionEvents(this.state.events, id, record.idleTtlMs);
    const transport = new SessionTransport(
      {
        sessionIdGenerator: () => id,
        eventStore: events,
        // DELETE: the session ends on every replica.
        onsessionclosed: () => this.end(id),
      },
      this.state.channel.replicaId,
    );
    const session: LocalSession = {
      id,
      transport,
      events,
      protocolVersion: record.protocolVersion,
      revision: record.revision,
      lastUsed: Date.now(),
      writes: Promise.resolve(),
      closed: false,
      server: this.factory.create((ctx, server) => {
        const request = (ctx as { http?: { req?: Request } }).http?.req;
        const origin = (request && this.origins.get(request)) ?? session.origin;
        if (!origin) throw new Error(`No request is known for a call of session ${id}`);
        return origin(ctx, server);
      }),
    };
    // Before `connect`, which chains the server's own close handler after this one.
    transport.onclose = () => {
      session.closed = true;
      if (this.local.get(id) === session) this.local.delete(id);
    };
    return session;
  }

  /** Holds a connected copy: change notifications reach it from now on. */
  private adopt(session: LocalSession): void {
    this.local.set(session.id, session);
    this.factory.connections.add(session.server, 'legacy', {
      onSubscription: (uri, subscribed) =>
        this.write(session, subscribed ? { subscribe: uri } : { unsubscribe: uri }),
    });
  }

  /** Hands an HTTP request to a copy's transport and writes its answer. */
  private async serve(
    session: LocalSession,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    origin: OriginResolver,
  ): Promise<void> {
    const request = webRequestOf(req);
    this.origins.set(request, origin);
    session.origin = origin;
    const response = await session.transport.handleRequest(request, {
      ...(req.method === 'POST' && { parsedBody: body }),
      authInfo: (req as { auth?: never }).auth,
    });
    await writeWebResponse(response, res);
  }

  /**
   * Splits a posted body: answers to server-to-client requests that another replica sent go
   * there through the bus; client cancellations also go to every other copy (the request may run
   * there). Returns what this copy handles, or `undefined` when nothing is left.
   */
  private route(session: LocalSession, body: unknown): unknown {
    const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
    const here: JSONRPCMessage[] = [];
    const broadcast: JSONRPCMessage[] = [];
    const away = new Map<string, JSONRPCMessage[]>();
    for (const message of messages) {
      if (isAnswer(message)) {
        const mine = session.transport.takeAnswer(message);
        const replica = replicaOfAnswer(message.id);
        if (mine) here.push(mine);
        else if (replica && replica !== this.state.channel.replicaId) {
          const routed = away.get(replica);
          if (routed) routed.push(message);
          else away.set(replica, [message]);
        }
        // Unknown answers go to the SDK, which reports them.
        else here.push(message);
        continue;
      }
      if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled')
        broadcast.push(message);
      here.push(message);
    }
    for (const [to, routed] of away)
      this.state.channel.publishSession({
        kind: 'deliver',
        session: session.id,
        to,
        messages: routed,
      });
    if (broadcast.length)
      this.state.channel.publishSession({
        kind: 'deliver',
        session: session.id,
        messages: broadcast,
      });
    if (here.length === 0) return undefined;
    return Array.isArray(body) ? here : here[0];
  }

  /** Records a `logging/setLevel` the copy just served, so that other copies apply it. */
  private async recordLogLevel(session: LocalSession, body: unknown): Promise<void> {
    const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
    for (const message of messages)
      if (isJSONRPCRequest(message) && message.method === 'logging/setLevel') {
        const level = (message.params as { level?: unknown } | undefined)?.level;
        if (typeof level === 'string' && LEVELS.has(level)) {
          session.logLevel = level as LoggingLevel;
          await this.write(session, { logLevel: level as LoggingLevel });
        }
      }
  }

  /** Writes a change of a session to the store, in order, and tells the other copies. */
  private write(
    session: LocalSession,
    change: Parameters<SessionStore['change']>[1],
  ): Promise<unknown> {
    session.writes = session.writes
      .then(() => this.state.sessions.change(session.id, change))
      .then((record) => {
        if (!record) return;
        this.applyRecord(session, record);
        this.state.channel.publishSession({
          kind: 'session',
          session: session.id,
          change: 'changed',
        });
      })
      .catch((e: unknown) =>
        this.logger.warn(`Cannot record a change of session ${session.id}: ${String(e)}`),
      );
    return session.writes;
  }

  /** Brings a copy up to a newer record: subscriptions and log level. */
  private async follow(session: LocalSession, record: SessionRecord): Promise<void> {
    const level = record.logLevel;
    this.applyRecord(session, record);
    if (level && level !== session.logLevel) {
      session.logLevel = level;
      session.events.muted = true;
      try {
        await setLogLevel(session.transport, record, level);
      } finally {
        session.events.muted = false;
      }
    }
  }

  private applyRecord(session: LocalSession, record: SessionRecord): void {
    session.revision = record.revision;
    this.factory.connections.setSubscriptions(session.server, record.subscriptions);
  }

  private async onReplicaMessage(message: SessionMessage): Promise<void> {
    const session = this.local.get(message.session);
    if (!session || session.closed) return;
    try {
      if (message.kind === 'session') {
        if (message.change === 'closed') return await this.closeLocal(session.id);
        const record = await this.state.sessions.get(session.id);
        if (!record) return await this.closeLocal(session.id);
        if (record.revision !== session.revision) await this.follow(session, record);
        return;
      }
      if (message.to !== undefined && message.to !== this.state.channel.replicaId) return;
      const messages = message.messages.map((m) =>
        isAnswer(m) ? session.transport.takeAnswer(m) : m,
      );
      const known = messages.filter((m): m is JSONRPCMessage => m !== undefined);
      if (known.length)
        await postToSession(session.transport, known, {
          sessionId: session.id,
          protocolVersion: session.protocolVersion,
        });
    } catch (e) {
      this.logger.warn(`A message for session ${message.session} failed: ${String(e)}`);
    }
  }

  /** A DELETE: the session, its events and every replica's copy end. */
  private async end(id: string): Promise<void> {
    await Promise.allSettled([this.state.sessions.delete(id), this.state.events.deleteSession(id)]);
    this.state.channel.publishSession({ kind: 'session', session: id, change: 'closed' });
  }

  private async closeLocal(id: string): Promise<void> {
    const session = this.local.get(id);
    if (!session) return;
    this.local.delete(id);
    await this.closeCopy(session);
  }

  private async closeCopy(session: LocalSession): Promise<void> {
    session.closed = true;
    await session.transport
      .close()
      .catch((e) => this.logger.warn(`Closing session ${session.id}: ${String(e)}`));
  }

  /**
   * Drops the copies not used here for the idle TTL whose session ended (expired, or deleted
   * while this replica missed the bus message). A copy of a session still used on another
   * replica stays: it delivers change notifications to its client's GET stream.
   */
  private async closeIdle(): Promise<void> {
    const cutoff = Date.now() - this.limits.idleTtlMs;
    for (const session of this.local.values()) {
      if (session.lastUsed >= cutoff) continue;
      try {
        if (await this.state.sessions.get(session.id)) session.lastUsed = Date.now();
        else await this.closeLocal(session.id);
      } catch {
        // The store does not answer: try again at the next sweep.
      }
    }
  }

  private unavailable(res: ServerResponse, body: unknown, error: unknown): void {
    this.logger.warn(`The session store does not answer: ${String(error)}`);
    writeJsonRpcError(
      res,
      503,
      JsonRpcErrorCode.InternalError,
      SESSION_STORE_UNAVAILABLE,
      idOf(body),
      undefined,
      { 'retry-after': String(Math.ceil(this.limits.retryAfterMs / 1000)) },
    );
  }
}

interface InitializeBody {
  id: string | number;
  params: {
    protocolVersion: string;
    capabilities?: SessionRecord['clientCapabilities'];
    clientInfo: SessionRecord['clientInfo'];
  };
}

const LEVELS: ReadonlySet<string> = new Set(LOGGING_LEVELS);

function idOf(body: unknown): unknown {
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as { id?: unknown }).id
    : null;
}
