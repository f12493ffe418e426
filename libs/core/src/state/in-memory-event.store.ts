import type { EventId, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import { DEDUPE_WINDOW_MS, type EventAppendOptions, type EventStore } from './event.store';

/** Options of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions {
  /**
   * Events kept per session, over all its streams; the oldest are dropped first.
   * @default 1000
   */
  maxEventsPerSession?: number;
  /**
   * Events kept over all sessions; the oldest are dropped first.
   * @default 100000
   */
  maxEvents?: number;
  /**
   * Interval of the sweep that drops the events of idle sessions, in milliseconds.
   * @default 60000
   */
  sweepIntervalMs?: number;
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

interface SessionLog {
  events: Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>;
  dedupe: Map<string, { eventId: EventId; until: number }>;
  expiresAt: number;
}

/**
 * SSE events in this process's memory, one log per session (the default). Bounded per session
 * and overall, oldest first; a session's log expires with the session's idle TTL, dropped on
 * access or by one `unref()`ed sweep (started with the first event, stopped by {@link close}).
 *
 * @example
 * ```ts
 * McpModule.forRoot({ name: 'web', version: '1.0.0', state: { events: new InMemoryEventStore({ maxEvents: 50_000 }) } });
 * ```
 */
export class InMemoryEventStore implements EventStore {
  private readonly logs = new Map<string, SessionLog>();
  /** Event ids are numbered over all sessions: an id names one event of one session. */
  private seq = 0;
  /** Every stored event, oldest first, for the overall bound: `<session>\n<event id>`. */
  private readonly order = new Set<string>();
  private readonly maxEventsPerSession: number;
  private readonly maxEvents: number;
  private readonly sweepIntervalMs: number;
  private readonly now: () => number;
  private sweep?: NodeJS.Timeout;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.maxEventsPerSession = options.maxEventsPerSession ?? 1_000;
    this.maxEvents = options.maxEvents ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async append(
    sessionId: string,
    streamId: StreamId,
    message: JSONRPCMessage,
    options: EventAppendOptions,
  ): Promise<EventId> {
    this.startSweep();
    const now = this.now();
    let log = this.live(sessionId);
    if (!log) {
      log = { events: new Map(), dedupe: new Map(), expiresAt: 0 };
      this.logs.set(sessionId, log);
    }
    log.expiresAt = now + options.ttlMs;
    if (options.dedupeKey !== undefined) {
      const seen = log.dedupe.get(options.dedupeKey);
      if (seen && seen.until > now) return seen.eventId;
    }
    const eventId = (++this.seq).toString(36).padStart(8, '0');
    log.events.set(eventId, { streamId, message });
    this.order.add(orderKey(sessionId, eventId));
    if (options.dedupeKey !== undefined) {
      log.dedupe.set(options.dedupeKey, { eventId, until: now + DEDUPE_WINDOW_MS });
      for (const [key, seen] of log.dedupe) if (seen.until <= now) log.dedupe.delete(key);
    }
    if (log.events.size > this.maxEventsPerSession) {
      const oldest = log.events.keys().next().value!;
      log.events.delete(oldest);
      this.order.delete(orderKey(sessionId, oldest));
    }
    if (this.order.size > this.maxEvents) {
      const oldest = this.order.values().next().value!;
      this.order.delete(oldest);
      const [session, event] = oldest.split('\n');
      this.logs.get(session)?.events.delete(event);
    }
    return eventId;
  }

  async streamOf(sessionId: string, eventId: EventId): Promise<StreamId | undefined> {
    return this.live(sessionId)?.events.get(eventId)?.streamId;
  }

  async replayAfter(
    sessionId: string,
    eventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
  ): Promise<StreamId | undefined> {
    const log = this.live(sessionId);
    const last = log?.events.get(eventId);
    if (!log || !last) return undefined;
    // Copied first: sending awaits, and appends may arrive meanwhile.
    const events = [...log.events];
    let after = false;
    for (const [id, event] of events) {
      if (after && event.streamId === last.streamId) await send(id, event.message);
      else if (id === eventId) after = true;
    }
    return last.streamId;
  }

  async deleteSession(sessionId: string): Promise<void> {
    const log = this.logs.get(sessionId);
    if (!log) return;
    this.logs.delete(sessionId);
    for (const id of log.events.keys()) this.order.delete(orderKey(sessionId, id));
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private live(sessionId: string): SessionLog | undefined {
    const log = this.logs.get(sessionId);
    if (log && log.expiresAt <= this.now()) {
      void this.deleteSession(sessionId);
      return undefined;
    }
    return log;
  }

  private startSweep(): void {
    if (this.sweep) return;
    this.sweep = setInterval(() => {
      for (const id of this.logs.keys()) this.live(id);
    }, this.sweepIntervalMs);
    this.sweep.unref();
  }
}

const orderKey = (sessionId: string, eventId: EventId) => `${sessionId}\n${eventId}`;
