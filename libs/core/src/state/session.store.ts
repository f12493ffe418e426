import type {
  ClientCapabilities,
  Implementation,
  LoggingLevel,
} from '@modelcontextprotocol/server';

/**
 * What a replica needs to serve a 2025-11-25 session it did not open: the session's SDK server
 * is rebuilt from it as already initialized.
 */
export interface SessionRecord {
  /** The `Mcp-Session-Id`. */
  id: string;
  /** Subject of the identity the session is bound to; absent when it was opened anonymously. */
  subject?: string;
  /** The key the per-client session cap counts the session under (see `http.clientKey`). */
  clientKey: string;
  /** The protocol version negotiated by `initialize`. */
  protocolVersion: string;
  /** `clientInfo` the client sent with `initialize`. */
  clientInfo: Implementation;
  /** `capabilities` the client sent with `initialize`. */
  clientCapabilities: ClientCapabilities;
  /** The level set with `logging/setLevel`; absent until the client sets one. */
  logLevel?: LoggingLevel;
  /** URIs the client subscribed to with `resources/subscribe`. */
  subscriptions: string[];
  /** When the session was opened, in milliseconds since the epoch. */
  createdAt: number;
  /** When a request last used the session, in milliseconds since the epoch. */
  lastSeen: number;
  /** Idle time after which the session ends, in milliseconds. */
  idleTtlMs: number;
  /** Counts the changes of `logLevel` and `subscriptions`, so replicas see that theirs is stale. */
  revision: number;
}

/** The caps {@link SessionStore.create} enforces. */
export interface SessionLimits {
  /** Most sessions open at once. */
  maxSessions: number;
  /** Most sessions open at once under one `clientKey`. */
  maxSessionsPerClient: number;
}

/** What {@link SessionStore.create} did. */
export type SessionOpening =
  | { opened: true }
  /** Refused: `limit` says which cap was reached; `open` how many sessions count against it. */
  | { opened: false; limit: 'server' | 'client'; open: number };

/** A change of a session's state that other replicas must see. */
export type SessionChange =
  { subscribe: string } | { unsubscribe: string } | { logLevel: LoggingLevel };

/**
 * Where 2025-11-25 sessions live: {@link InMemorySessionStore} by default (one process),
 * {@link RedisSessionStore} when every replica must serve every session. A record expires
 * `idleTtlMs` after the last {@link touch}. Records come back as copies: changing one changes
 * nothing in the store.
 *
 * @example
 * ```ts
 * const opening = await store.create(record, { maxSessions: 10_000, maxSessionsPerClient: 100 });
 * if (!opening.opened) refuse(opening.limit);
 * const session = await store.touch(record.id); // undefined once it expired or was deleted
 * ```
 */
export interface SessionStore {
  /**
   * Adds a session, atomically checking both caps against the sessions still open (over every
   * replica that shares the store).
   */
  create(record: SessionRecord, limits: SessionLimits): Promise<SessionOpening>;
  /** Reads a session and restarts its idle time; `undefined` when it expired or was deleted. */
  touch(id: string): Promise<SessionRecord | undefined>;
  /** Reads a session without restarting its idle time. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Applies a change and increments `revision`; `undefined` when the session is gone. */
  change(id: string, change: SessionChange): Promise<SessionRecord | undefined>;
  /** Deletes a session; resolves with whether it existed. */
  delete(id: string): Promise<boolean>;
  /** Sessions open, over the store or under one `clientKey`. */
  count(clientKey?: string): Promise<number>;
  /** Releases timers and connections the store owns. */
  close?(): Promise<void>;
}

/** Injection token of the {@link SessionStore} of an `McpModule`. */
export const SessionStore = Symbol.for('rampart:SessionStore');
