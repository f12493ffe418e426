import { Logger } from '@nestjs/common';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import type { EventStore, Server } from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JsonRpcErrorCode } from '../../errors/mcp-protocol.error';
import type { McpIdentity } from '../../interfaces/mcp-identity.interface';
import type { McpServerFactory, OriginResolver } from '../../protocol/mcp-server-factory';
import { writeJsonRpcError } from '../http/node-http';
import { InMemoryEventStore } from './in-memory-event-store';

interface Session {
  server: Server;
  transport: NodeStreamableHTTPServerTransport;
  identity?: McpIdentity;
  lastSeen: number;
}

/** Facts about the HTTP request that opens or continues a 2025-era session. */
export interface LegacyRequestInfo {
  identity?: McpIdentity;
  origin: OriginResolver;
}

/**
 * The 2025-11-25 era: `initialize` opens a session with its own SDK `Server` and Streamable HTTP
 * transport (SSE responses, the GET stream, DELETE, resumability through an event store).
 * A session is bound to the identity that opened it.
 */
export class LegacySessionManager {
  private readonly logger = new Logger('McpSessions');
  private readonly sessions = new Map<string, Session>();
  private readonly sweep: NodeJS.Timeout;

  private readonly idleTtlMs: number;
  private readonly maxSessions: number;

  constructor(
    private readonly factory: McpServerFactory,
    limits: { idleTtlMs: number; maxSessions: number },
    private readonly eventStore: EventStore = new InMemoryEventStore(),
  ) {
    this.idleTtlMs = limits.idleTtlMs;
    this.maxSessions = limits.maxSessions;
    this.sweep = setInterval(() => this.closeIdle(), Math.min(this.idleTtlMs, 60_000));
    this.sweep.unref();
  }

  /** Number of open sessions. */
  get size(): number {
    return this.sessions.size;
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
      if (req.method === 'POST' && isInitialize(body)) return this.open(req, res, body, info);
      return writeJsonRpcError(
        res,
        400,
        JsonRpcErrorCode.InvalidRequest,
        'Bad Request: Mcp-Session-Id header is required',
        idOf(body),
      );
    }
    const session = this.sessions.get(sessionId);
    if (!session)
      return writeJsonRpcError(
        res,
        404,
        JsonRpcErrorCode.SessionNotFound,
        'Session not found',
        idOf(body),
      );
    if (session.identity?.subject !== info.identity?.subject)
      return writeJsonRpcError(
        res,
        403,
        JsonRpcErrorCode.InvalidRequest,
        'Forbidden: the session belongs to another identity',
        idOf(body),
      );
    session.lastSeen = Date.now();
    await session.transport.handleRequest(req, res, body);
  }

  private async open(
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    info: LegacyRequestInfo,
  ): Promise<void> {
    if (this.sessions.size >= this.maxSessions)
      return writeJsonRpcError(
        res,
        503,
        JsonRpcErrorCode.InternalError,
        `Service Unavailable: ${this.maxSessions} sessions are open; try again later`,
        idOf(body),
        undefined,
        { 'retry-after': '5' },
      );
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: this.eventStore,
      onsessioninitialized: (id) => {
        this.sessions.set(id, { server, transport, identity: info.identity, lastSeen: Date.now() });
        // List changes and subscribed resource updates reach the session from now on.
        this.factory.connections.add(server, 'legacy');
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    const server = this.factory.create(info.origin);
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.idleTtlMs;
    for (const [id, s] of this.sessions)
      if (s.lastSeen < cutoff) {
        this.sessions.delete(id);
        s.transport
          .close()
          .catch((e) => this.logger.warn(`Closing idle session ${id}: ${String(e)}`));
      }
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.transport.close()));
  }
}

function isInitialize(body: unknown): boolean {
  const one = Array.isArray(body) ? body[0] : body;
  return !!one && typeof one === 'object' && (one as { method?: unknown }).method === 'initialize';
}

function idOf(body: unknown): unknown {
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as { id?: unknown }).id
    : null;
}
