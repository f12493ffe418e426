import type { TaskRecord } from '../interfaces/task-record.interface';

/** One page of an owner's tasks (2025-11-25 `tasks/list`). */
export interface TaskPage {
  taskIds: string[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/**
 * Where tasks live: {@link InMemoryTaskStore} by default, {@link RedisTaskStore} with
 * `storage: { redis }` so that every replica reads and writes the same tasks. A record is kept
 * until its `ttlMs` from creation has passed, then it is gone.
 *
 * @example
 * ```ts
 * await store.create(record);
 * await store.update(record.taskId, (t) => ({ ...t, status: 'completed', result }));
 * ```
 */
export interface TaskStore {
  /** Stores a new task; resolves once a `get` on any replica finds it. */
  create(record: TaskRecord): Promise<void>;
  /** The task, or `undefined` when it does not exist or has expired. */
  get(taskId: string): Promise<TaskRecord | undefined>;
  /**
   * Changes a task atomically: `change` gets the current record and returns the next one (its
   * `version` is bumped by the store) or `undefined` to leave it. Concurrent writers are retried
   * with the newer record. Resolves with the record as stored afterwards, or `undefined` when the
   * task does not exist.
   */
  update(
    taskId: string,
    change: (current: TaskRecord) => TaskRecord | undefined,
  ): Promise<TaskRecord | undefined>;
  /** A page of the tasks of `owner` (a key the caller builds), newest first. */
  list(owner: string, cursor: string | undefined, limit: number): Promise<TaskPage>;
  /** Tasks whose worker's lease ended before `now` (their worker stopped), at most `limit`. */
  expiredLeases(now: number, limit: number): Promise<string[]>;
  /**
   * Binds `key` to `taskId` for `ttlMs` unless it is bound already; resolves with the task the
   * key names (an idempotency key's task).
   */
  remember(key: string, taskId: string, ttlMs: number): Promise<string>;
}

/** Injection token of the {@link TaskStore}. */
export const TaskStore = Symbol.for('rampart:TaskStore');

/** The expiry of a record (epoch ms), or `undefined` for unlimited. */
export const expiryOf = (record: TaskRecord): number | undefined =>
  record.ttlMs === null ? undefined : record.createdAt + record.ttlMs;
