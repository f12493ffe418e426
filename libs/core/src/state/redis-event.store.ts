import type { EventId, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';
import { DEDUPE_WINDOW_MS, type EventAppendOptions, type EventStore } from './event.store';
import {
  DEFAULT_STATE_COMMAND_TIMEOUT_MS,
  RedisScript,
  withDeadline,
  type RedisClientLike,
} from './redis-client';

/** Options of {@link RedisEventStore}. */
export interface RedisEventStoreOptions {
  /**
   * Prefix of every key the store writes.
   * @default 'rampart:'
   */
  keyPrefix?: string;
  /**
   * Longest wait for Redis on one command, in milliseconds; past it the command fails as if
   * Redis were down.
   * @default 1000
   */
  commandTimeoutMs?: number;
  /**
   * Events kept per session, over all its streams (approximately: Redis trims whole nodes).
   * @default 1000
   */
  maxEventsPerSession?: number;
}

/** Appends one event unless the dedupe key names one already stored; returns the event id. */
const APPEND = new RedisScript(`
if ARGV[5] == '1' then
  local seen = redis.call('GET', KEYS[2])
  if seen then return seen end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 's', ARGV[2], 'm', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if ARGV[5] == '1' then redis.call('SET', KEYS[2], id, 'PX', ARGV[6]) end
return id`);

/** A Redis stream entry id, `<ms>-<seq>`. */
const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * SSE events in Redis, one Redis stream per session (`XADD`, trimmed to `maxEventsPerSession`,
 * expiring with the session's idle TTL): a client resumes its stream on any replica. Event ids
 * are the entries' ids, looked up only in the session's own stream.
 *
 * @example
 * ```ts
 * const events = new RedisEventStore(new Redis(process.env.REDIS_URL), { keyPrefix: 'web:' });
 * McpModule.forRoot({ name: 'web', version: '1.0.0', state: { events } });
 * ```
 */
export class RedisEventStore implements EventStore {
  private readonly prefix: string;
  private readonly maxEventsPerSession: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: RedisClientLike,
    options: RedisEventStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'rampart:';
    this.maxEventsPerSession = options.maxEventsPerSession ?? 1_000;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_STATE_COMMAND_TIMEOUT_MS;
  }

  async append(
    sessionId: string,
    streamId: StreamId,
    message: JSONRPCMessage,
    options: EventAppendOptions,
  ): Promise<EventId> {
    const dedupe = options.dedupeKey !== undefined;
    return String(
      await APPEND.run(
        this.client,
        [this.key(sessionId), dedupe ? `${this.key(sessionId)}:seen:${options.dedupeKey}` : ''],
        [
          this.maxEventsPerSession,
          streamId,
          JSON.stringify(message),
          Math.max(1, Math.ceil(options.ttlMs)),
          dedupe ? '1' : '0',
          DEDUPE_WINDOW_MS,
        ],
        this.timeoutMs,
      ),
    );
  }

  async streamOf(sessionId: string, eventId: EventId): Promise<StreamId | undefined> {
    if (!ENTRY_ID.test(eventId)) return undefined;
    const entries = (await this.call('XRANGE', this.key(sessionId), eventId, eventId)) as
      Entry[] | null;
    return entries?.[0] ? field(entries[0], 's') : undefined;
  }

  async replayAfter(
    sessionId: string,
    eventId: EventId,
    send: (eventId: EventId, message: JSONRPCMessage) => Promise<void>,
  ): Promise<StreamId | undefined> {
    const streamId = await this.streamOf(sessionId, eventId);
    if (streamId === undefined) return undefined;
    const entries = ((await this.call('XRANGE', this.key(sessionId), `(${eventId}`, '+')) ??
      []) as Entry[];
    for (const entry of entries)
      if (field(entry, 's') === streamId)
        await send(entry[0], JSON.parse(field(entry, 'm') ?? '{}') as JSONRPCMessage);
    return streamId;
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.call('DEL', this.key(sessionId));
  }

  private call(command: string, ...args: string[]): Promise<unknown> {
    return withDeadline(this.client.call(command, ...args), this.timeoutMs, command);
  }

  private key(sessionId: string): string {
    return `${this.prefix}events:${sessionId}`;
  }
}

/** An `XRANGE` entry: its id and its field/value list. */
type Entry = [string, string[]];

function field(entry: Entry, name: string): string | undefined {
  const fields = entry[1];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
