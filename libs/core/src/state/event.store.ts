import type { EventId, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

/** Options of {@link EventStore.append}. */
export interface EventAppendOptions {
  /** How long the session's events are kept after this one, in milliseconds (its idle TTL). */
  ttlMs: number;
  /**
   * Names one delivery of a change to the session. Every replica that holds a copy of the
   * session delivers a change published on the bus; the first append with a key stores the
   * event, later ones with the same key (within a minute) store nothing and get its id, so the
   * client sees the change once, under one event id, wherever it resumes.
   */
  dedupeKey?: string;
}

/**
 * The SSE events of 2025-11-25 sessions, kept so that a client that lost a stream resumes it
 * with `Last-Event-ID`. Every operation names its session: a session's event ids mean nothing
 * in another session, so a client never replays events that are not its own.
 * {@link InMemoryEventStore} by default; {@link RedisEventStore} to resume on any replica.
 *
 * @example
 * ```ts
 * const id = await store.append(sessionId, '_GET_stream', notification, { ttlMs: 1_800_000 });
 * await store.replayAfter(sessionId, id, async (eventId, message) => write(eventId, message));
 * ```
 */
export interface EventStore {
  /** Stores a message of one stream of a session; resolves with its event id. */
  append(
    sessionId: string,
    streamId: StreamId,
    message: JSONRPCMessage,
    options: EventAppendOptions,
  ): Promise<EventId>;
  /** The stream of an event of this session; `undefined` for an id the session never issued. */
  streamOf(sessionId: string, eventId: EventId): Promise<StreamId | undefined>;
  /**
   * Sends the events of `eventId`'s stream that came after it, oldest first; resolves with the
   * stream id, or `undefined` (sending nothing) when the session never issued `eventId`.
   */
  replayAfter(
    sessionId: string,
    eventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
  ): Promise<StreamId | undefined>;
  /** Forgets every event of a session. */
  deleteSession(sessionId: string): Promise<void>;
  /** Releases timers and connections the store owns. */
  close?(): Promise<void>;
}

/** Injection token of the {@link EventStore} of an `McpModule`. */
export const EventStore = Symbol.for('rampart:EventStore');

/** How long a {@link EventAppendOptions.dedupeKey} is remembered, in milliseconds. */
export const DEDUPE_WINDOW_MS = 60_000;
