import type { RedisClientLike } from '@rampart/core';
import { createHash } from 'node:crypto';
import type { TaskRecord } from '../interfaces/task-record.interface';
import { ownerKeyOf } from './in-memory-task.store';
import {
  expiryOf,
  type TaskCreateOnce,
  type TaskIdempotency,
  type TaskPage,
  type TaskStore,
} from './task.store';

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
 * Answers 1 when written (see {@link WRITE}), 0 on a conflict, -1 when an update finds no record.
 */
const WRITE_BODY = `
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
`;

/** {@link WRITE_BODY}, answering 1 once written. */
const WRITE = `${WRITE_BODY}return 1`;

/**
 * {@link WRITE} of a new record, unless an idempotency key names a live task already: then it
 * answers that task's JSON (`existing` when created with the same arguments' fingerprint,
 * `conflict` otherwise). One script, so that two replicas racing on one key create one task.
 * KEYS: record, lease index, owner list, idempotency key. ARGV: as WRITE's (expected `-1`), then
 * the record key prefix, the fingerprint, the key's lifetime (ms), and the time now (epoch ms).
 * Answers 1 when written, 0 if the record exists, or `{ outcome, JSON }`.
 */
const CREATE_ONCE = `
local held = redis.call('GET', KEYS[4])
if held then
  local h = cjson.decode(held)
  local raw = redis.call('GET', ARGV[7] .. h.t)
  if raw then
    local task = cjson.decode(raw)
    if task.ttlMs == cjson.null or task.createdAt + task.ttlMs > tonumber(ARGV[10]) then
      if h.f == ARGV[8] then return { 'existing', raw } end
      return { 'conflict', raw }
    end
  end
end
${WRITE_BODY}
redis.call('SET', KEYS[4], cjson.encode({ t = ARGV[4], f = ARGV[8] }), 'PX', ARGV[9])
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

  async createOnce(record: TaskRecord, once: TaskIdempotency): Promise<TaskCreateOnce> {
    const now = Date.now();
    const expiry = expiryOf(record);
    const keyMs = Math.max(1, Math.round(Math.min(once.ttlMs, (expiry ?? Infinity) - now)));
    const answer = (await this.redis.call(
      'EVAL',
      CREATE_ONCE,
      4,
      ...this.writeKeys(record),
      this.idempotencyKey(once.key),
      ...this.writeArgs(record, -1),
      this.key(''),
      once.fingerprint,
      keyMs,
      now,
    )) as number | [string, string];
    if (Array.isArray(answer))
      return {
        outcome: answer[0] === 'existing' ? 'existing' : 'conflict',
        record: JSON.parse(answer[1]) as TaskRecord,
      };
    if (answer !== 1) throw new Error(`Task ${record.taskId} exists already`);
    return { outcome: 'created', record };
  }

  private write(record: TaskRecord, expected: number): Promise<number> {
    return this.redis.call(
      'EVAL',
      WRITE,
      3,
      ...this.writeKeys(record),
      ...this.writeArgs(record, expected),
    ) as Promise<number>;
  }

  /** The three keys of {@link WRITE}: record, lease index, owner list. */
  private writeKeys(record: TaskRecord): string[] {
    return [this.key(record.taskId), this.leaseKey(), this.ownerListKey(ownerKeyOf(record))];
  }

  /** The six arguments of {@link WRITE}. */
  private writeArgs(record: TaskRecord, expected: number): (string | number)[] {
    return [
      expected,
      JSON.stringify(record),
      expiryOf(record) ?? 0,
      record.taskId,
      record.lease ? record.lease.until : -1,
      record.createdAt,
    ];
  }

  private key(taskId: string): string {
    return `${this.prefix}task:${taskId}`;
  }

  /** An idempotency key, hashed: it names its caller, which need not be spelled in Redis. */
  private idempotencyKey(key: string): string {
    return `${this.prefix}idem:${createHash('sha256').update(key).digest('hex')}`;
  }

  private leaseKey(): string {
    return `${this.prefix}leases`;
  }

  private ownerListKey(owner: string): string {
    return `${this.prefix}owner:${owner}`;
  }
}
