import {
  DEFAULT_STATE_COMMAND_TIMEOUT_MS,
  RedisScript,
  withDeadline,
  type RedisClientLike,
} from './redis-client';
import type {
  SessionChange,
  SessionLimits,
  SessionOpening,
  SessionRecord,
  SessionStore,
} from './session.store';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
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
  /** The clock, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** The parts of a record that never change, stored as one JSON field. */
type Fixed = Pick<
  SessionRecord,
  'subject' | 'clientKey' | 'protocolVersion' | 'clientInfo' | 'clientCapabilities' | 'createdAt'
>;

// A session is one hash: r = the fixed fields (JSON), c = the key of its client's index, v = the
// revision, s = last seen, t = idle TTL, l = log level, u:<uri> = one field per subscription.
// Two sorted sets index the open sessions by expiry time: every session, and each client's.

/** Prunes both indexes, checks both caps, then writes the session and indexes it. */
const CREATE = new RedisScript(`
local now = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local all = redis.call('ZCARD', KEYS[2])
if all >= tonumber(ARGV[4]) then return {'server', all} end
local mine = redis.call('ZCARD', KEYS[3])
if mine >= tonumber(ARGV[5]) then return {'client', mine} end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'r', ARGV[6], 'c', KEYS[3], 'v', 1, 's', now, 't', ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[3], ttl)
return {'ok', 0}`);

/** Restarts the idle time of a session and of its index entries; returns the hash. */
const TOUCH = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local now = tonumber(ARGV[2])
local ttl = tonumber(redis.call('HGET', KEYS[1], 't'))
redis.call('HSET', KEYS[1], 's', now)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
local c = redis.call('HGET', KEYS[1], 'c')
redis.call('ZADD', c, now + ttl, ARGV[1])
redis.call('PEXPIRE', c, ttl)
return redis.call('HGETALL', KEYS[1])`);

/** Applies one change and increments the revision; returns the hash. */
const CHANGE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[1] == 'sub' then redis.call('HSET', KEYS[1], 'u:' .. ARGV[2], '1')
elseif ARGV[1] == 'unsub' then redis.call('HDEL', KEYS[1], 'u:' .. ARGV[2])
else redis.call('HSET', KEYS[1], 'l', ARGV[2]) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
return redis.call('HGETALL', KEYS[1])`);

/** Deletes a session and its index entries. */
const DELETE = new RedisScript(`
local c = redis.call('HGET', KEYS[1], 'c')
redis.call('ZREM', KEYS[2], ARGV[1])
if c then redis.call('ZREM', c, ARGV[1]) end
return redis.call('DEL', KEYS[1])`);

/**
 * Sessions in Redis, shared by every replica: a session opened on one replica is served by any
 * other, and the caps count the sessions of the whole deployment. Each operation is one Lua
 * script (atomic). The scripts touch a session's hash and the two index sets together, so the
 * store needs a single Redis node (or Sentinel), not Redis Cluster.
 *
 * @example
 * ```ts
 * const store = new RedisSessionStore(new Redis(process.env.REDIS_URL), { keyPrefix: 'web:' });
 * McpModule.forRoot({ name: 'web', version: '1.0.0', state: { sessions: store } });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: RedisClientLike,
    options: RedisSessionStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'rampart:';
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_STATE_COMMAND_TIMEOUT_MS;
  }

  async create(record: SessionRecord, limits: SessionLimits): Promise<SessionOpening> {
    const fixed: Fixed = {
      subject: record.subject,
      clientKey: record.clientKey,
      protocolVersion: record.protocolVersion,
      clientInfo: record.clientInfo,
      clientCapabilities: record.clientCapabilities,
      createdAt: record.createdAt,
    };
    const [outcome, open] = (await CREATE.run(
      this.client,
      [this.sessionKey(record.id), this.allKey(), this.clientIndexKey(record.clientKey)],
      [
        record.id,
        record.lastSeen,
        record.idleTtlMs,
        limits.maxSessions,
        limits.maxSessionsPerClient,
        JSON.stringify(fixed),
      ],
      this.timeoutMs,
    )) as [string, number];
    if (outcome === 'ok') {
      for (const uri of record.subscriptions) await this.change(record.id, { subscribe: uri });
      if (record.logLevel) await this.change(record.id, { logLevel: record.logLevel });
      return { opened: true };
    }
    return { opened: false, limit: outcome as 'server' | 'client', open: Number(open) };
  }

  async touch(id: string): Promise<SessionRecord | undefined> {
    const hash = await TOUCH.run(
      this.client,
      [this.sessionKey(id), this.allKey()],
      [id, this.now()],
      this.timeoutMs,
    );
    return this.parse(id, hash);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return this.parse(
      id,
      await withDeadline(
        this.client.call('HGETALL', this.sessionKey(id)),
        this.timeoutMs,
        'HGETALL',
      ),
    );
  }

  async change(id: string, change: SessionChange): Promise<SessionRecord | undefined> {
    const [op, value] =
      'subscribe' in change
        ? ['sub', change.subscribe]
        : 'unsubscribe' in change
          ? ['unsub', change.unsubscribe]
          : ['level', change.logLevel];
    return this.parse(
      id,
      await CHANGE.run(this.client, [this.sessionKey(id)], [op, value], this.timeoutMs),
    );
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await DELETE.run(
      this.client,
      [this.sessionKey(id), this.allKey()],
      [id],
      this.timeoutMs,
    );
    return deleted === 1;
  }

  async count(clientKey?: string): Promise<number> {
    const key = clientKey === undefined ? this.allKey() : this.clientIndexKey(clientKey);
    return Number(
      await withDeadline(
        this.client.call('ZCOUNT', key, `(${this.now()}`, '+inf'),
        this.timeoutMs,
        'ZCOUNT',
      ),
    );
  }

  private parse(id: string, reply: unknown): SessionRecord | undefined {
    if (!Array.isArray(reply) || reply.length === 0) return undefined;
    const hash = new Map<string, string>();
    for (let i = 0; i + 1 < reply.length; i += 2) hash.set(String(reply[i]), String(reply[i + 1]));
    const fixed = hash.get('r');
    if (fixed === undefined) return undefined;
    const subscriptions: string[] = [];
    for (const field of hash.keys()) if (field.startsWith('u:')) subscriptions.push(field.slice(2));
    const level = hash.get('l');
    return {
      id,
      ...(JSON.parse(fixed) as Fixed),
      ...(level !== undefined && { logLevel: level as SessionRecord['logLevel'] }),
      subscriptions,
      lastSeen: Number(hash.get('s')),
      idleTtlMs: Number(hash.get('t')),
      revision: Number(hash.get('v')),
    };
  }

  private sessionKey(id: string): string {
    return `${this.prefix}session:${id}`;
  }

  private allKey(): string {
    return `${this.prefix}sessions`;
  }

  private clientIndexKey(clientKey: string): string {
    return `${this.prefix}sessions:client:${clientKey}`;
  }
}
