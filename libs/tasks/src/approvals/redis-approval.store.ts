import type { RedisClientLike } from '@rampart/core';
import type { ApprovalRecord, ApprovalStatus } from './approval.interfaces';
import { APPROVAL_RETENTION_MS, type ApprovalStore } from './approval.store';

/** Options of {@link RedisApprovalStore}. */
export interface RedisApprovalStoreOptions {
  /**
   * Prefix of every key.
   * @default 'rampart:approvals:'
   */
  keyPrefix?: string;
}

/**
 * Creates an approval if there is none. KEYS: record, pending index. ARGV: JSON, id, expires
 * at, kept until (epoch ms). Answers 1 when created.
 */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[4])
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), ARGV[2])
return 1
`;

/**
 * Replaces an approval if its status is one of ARGV[3..] and its signature is ARGV[2]; keeps the
 * record's expiry; drops it from the pending index once it is no longer pending. KEYS: record,
 * pending index. ARGV: JSON, signature, id, new status, statuses allowed... Answers 1 when written.
 */
const TRANSITION = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local record = cjson.decode(current)
if record.signature ~= ARGV[2] then return 0 end
local allowed = false
for i = 5, #ARGV do if record.status == ARGV[i] then allowed = true end end
if not allowed then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
if ARGV[4] ~= 'pending' then redis.call('ZREM', KEYS[2], ARGV[3]) end
return 1
`;

/**
 * Approvals in Redis, shared by every replica: one JSON value per approval (kept a day past its
 * expiry), a sorted set of pending approvals by expiry, and every change of status made by a
 * Lua script that checks the status first, so that one approval is approved (and its call
 * claimed) once across replicas.
 *
 * @example
 * ```ts
 * TasksModule.forRoot({ approvals: { keys, storage: new RedisApprovalStore(redis) } });
 * ```
 */
export class RedisApprovalStore implements ApprovalStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClientLike,
    options: RedisApprovalStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'rampart:approvals:';
  }

  async create(record: ApprovalRecord): Promise<void> {
    const created = await this.redis.call(
      'EVAL',
      CREATE,
      2,
      this.key(record.approvalId),
      this.pendingKey(),
      JSON.stringify(record),
      record.approvalId,
      record.expiresAt,
      record.expiresAt + APPROVAL_RETENTION_MS,
    );
    if (created !== 1) throw new Error(`Approval ${record.approvalId} exists already`);
  }

  async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const raw = (await this.redis.call('GET', this.key(approvalId))) as string | null;
    return raw ? (JSON.parse(raw) as ApprovalRecord) : undefined;
  }

  async transition(
    approvalId: string,
    from: readonly ApprovalStatus[],
    next: ApprovalRecord,
  ): Promise<boolean> {
    const written = await this.redis.call(
      'EVAL',
      TRANSITION,
      2,
      this.key(approvalId),
      this.pendingKey(),
      JSON.stringify(next),
      next.signature,
      approvalId,
      next.status,
      ...from,
    );
    return written === 1;
  }

  async pending(limit: number): Promise<ApprovalRecord[]> {
    const ids = (await this.redis.call('ZRANGE', this.pendingKey(), 0, limit - 1)) as string[];
    const found: ApprovalRecord[] = [];
    for (const id of ids) {
      const record = await this.get(id);
      if (record?.status === 'pending') found.push(record);
      else await this.redis.call('ZREM', this.pendingKey(), id);
    }
    return found;
  }

  async expiredPending(now: number, limit: number): Promise<string[]> {
    return (await this.redis.call(
      'ZRANGEBYSCORE',
      this.pendingKey(),
      '-inf',
      `(${now}`,
      'LIMIT',
      0,
      limit,
    )) as string[];
  }

  private key(approvalId: string): string {
    return `${this.prefix}approval:${approvalId}`;
  }

  private pendingKey(): string {
    return `${this.prefix}pending`;
  }
}
