import type { RedisClientLike } from '@rampart/core';
import type { TaskRecord } from '../interfaces/task-record.interface';
import { ownerKeyOf } from './in-memory-task.store';
import { expiryOf, type TaskPage, type TaskStore } from './task.store';

/** Options of {@link RedisTaskStore}. */
export interface RedisTaskStoreOptions {
  /**
   * Prefix of every key.
   * @default 'rampart:tasks:'
   */
  keyPrefix?: string;
  /**
   * Most compare-and-set retries of one update under contention.
   * @default 16
   */
  maxUpdateRetries?: number;
}

/**
 * Writes a record if its stored version is the expected one (or, for a create, if there is
 * none), sets its expiry, and keeps the lease index (a sorted set by lease end) and the owner's
 * list in step. KEYS: record, lease index, owner list. ARGV: expected version (`-1`: create),
 * JSON, expiry (epoch ms, `0`: none), task id, lease end (`-1`: none), created at.
 * Answers 1 when written, 0 on a conflict.
 */
const WRITE = `
local current = redis.call('GET', KEYS[1])
local expected = tonumber(ARGV[1])
if expected < 0 then
  if current then return 0 end
else
  if not current then return -1 end
  if cjson.decode(current).version ~= expected then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
local expiry = tonumber(ARGV[3])
if expiry > 0 then redis.call('PEXPIREAT', KEYS[1], expiry) end
local lease = tonumber(ARGV[5])
if lease >= 0 then redis.call('ZADD', KEYS[2], lease, ARGV[4]) else redis.call('ZREM', KEYS[2], ARGV[4]) end
if expected < 0 then
  redis.call('ZADD', KEYS[3], tonumber(ARGV[6]), ARGV[4])
  if expiry > 0 then
    local ttl = redis.call('PTTL', KEYS[3])
    local left = expiry - tonumber(ARGV[6])
    if ttl >= 0 and ttl < left then redis.call('PEXPIRE', KEYS[3], left) end
    if ttl == -1 and redis.call('ZCARD', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], left) end
  else
    redis.call('PERSIST', KEYS[3])
  end
end
return 1
`;

/**
 * Tasks in Redis, shared by every replica: one JSON value per task with the task's TTL as its
 * expiry, written with a compare-and-set on the record's version (a Lua script), a sorted set of
 * running tasks by lease end (what the sweepers look at), and a sorted list per owner.
 *
 * @example
 * ```ts
 * TasksModule.forRoot({ storage: new RedisTaskStore(new Redis(process.env.REDIS_URL!)) });
 * ```
 */
export class RedisTaskStore implements TaskStore {
  private readonly prefix: string;
  private readonly maxRetries: number;

  constructor(
    private readonly redis: RedisClientLike,
    options: RedisTaskStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'rampart:tasks:';
    this.maxRetries = options.maxUpdateRetries ?? 16;
  }

  async create(record: TaskRecord): Promise<void> {
    const written = await this.write(record, -1);
    if (written !== 1) throw new Error(`Task ${record.taskId} exists already`);
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const raw = (await this.redis.call('GET', this.key(taskId))) as string | null;
    if (!raw) return undefined;
    const record = JSON.parse(raw) as TaskRecord;
    const expiry = expiryOf(record);
    return expiry !== undefined && expiry <= Date.now() ? undefined : record;
  }

  async update(
    taskId: string,
    change: (current: TaskRecord) => TaskRecord | undefined,
  ): Promise<TaskRecord | undefined> {
    for (let attempt = 0; attempt < this.maxRetries; attempt++) {
      const current = await this.get(taskId);
      if (!current) return undefined;
      const next = change(structuredClone(current));
      if (!next) return current;
      const stored = { ...next, version: current.version + 1 };
      const written = await this.write(stored, current.version);
      if (written === 1) return stored;
      if (written === -1) return undefined;
    }
    throw new Error(`Task ${taskId}: too many concurrent writers`);
  }

  async list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    const key = this.ownerListKey(owner);
    const start = cursor === undefined ? 0 : Number(cursor);
    const ids = (await this.redis.call('ZREVRANGE', key, start, start + limit)) as string[];
    const page = ids.slice(0, limit);
    const live: string[] = [];
    for (const id of page) {
      if (await this.get(id)) live.push(id);
      else await this.redis.call('ZREM', key, id);
    }
    return {
      taskIds: live,
      ...(ids.length > limit && {
        nextCursor: String(start + limit - (page.length - live.length)),
      }),
    };
  }

  async expiredLeases(now: number, limit: number): Promise<string[]> {
    const ids = (await this.redis.call(
      'ZRANGEBYSCORE',
      this.leaseKey(),
      '-inf',
      `(${now}`,
      'LIMIT',
      0,
      limit,
    )) as string[];
    const found: string[] = [];
    for (const id of ids) {
      const record = await this.get(id);
      if (record?.lease && record.lease.until < now) found.push(id);
      else if (!record || !record.lease) await this.redis.call('ZREM', this.leaseKey(), id);
    }
    return found;
  }

  async remember(key: string, taskId: string, ttlMs: number): Promise<string> {
    const k = `${this.prefix}key:${key}`;
    const set = await this.redis.call('SET', k, taskId, 'NX', 'PX', Math.max(1, Math.round(ttlMs)));
    if (set === 'OK') return taskId;
    const held = (await this.redis.call('GET', k)) as string | null;
    if (held && (await this.get(held))) return held;
    await this.redis.call('SET', k, taskId, 'PX', Math.max(1, Math.round(ttlMs)));
    return taskId;
  }

  private write(record: TaskRecord, expected: number): Promise<number> {
    return this.redis.call(
      'EVAL',
      WRITE,
      3,
      this.key(record.taskId),
      this.leaseKey(),
      this.ownerListKey(ownerKeyOf(record)),
      expected,
      JSON.stringify(record),
      expiryOf(record) ?? 0,
      record.taskId,
      record.lease ? record.lease.until : -1,
      record.createdAt,
    ) as Promise<number>;
  }

  private key(taskId: string): string {
    return `${this.prefix}task:${taskId}`;
  }

  private leaseKey(): string {
    return `${this.prefix}leases`;
  }

  private ownerListKey(owner: string): string {
    return `${this.prefix}owner:${owner}`;
  }
}
