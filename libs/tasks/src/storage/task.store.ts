import type { TaskRecord } from '../interfaces/task-record.interface';

/** One page of an owner's tasks (2025-11-25 `tasks/list`). */
export interface TaskPage {
  taskIds: string[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/** An idempotency key of a task's creation, as {@link TaskStore.createOnce} takes it. */
export interface TaskIdempotency {
  /**
   * The key, scoped by its caller: server, tool, tenant and subject, and the client's key (see
   * `taskIdempotencyKey`). Stores may hash it.
   */
  key: string;
  /** Hash of the call's arguments: the same key with other arguments is a conflict. */
  fingerprint: string;
  /** How long the key names its task, in milliseconds. */
  ttlMs: number;
}

/** What {@link TaskStore.createOnce} did. */
export type TaskCreateOnce =
  | { outcome: 'created'; record: TaskRecord }
  | { outcome: 'existing'; record: TaskRecord }
  | { outcome: 'conflict'; record: TaskRecord };

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
   * Creates `record` unless `once.key` already names a live task, atomically (two replicas
   * racing on one key create one task): `created` with `record`; `existing` with the task the
   * key names when it was created with the same `once.fingerprint` (the same arguments);
   * `conflict` with that task when it was not. The key is held for `once.ttlMs`, and never
   * longer than its task lives; once either has expired, the key creates anew.
   */
  createOnce(record: TaskRecord, once: TaskIdempotency): Promise<TaskCreateOnce>;
}

/** Injection token of the {@link TaskStore}. */
export const TaskStore = Symbol.for('rampart:TaskStore');

/** The expiry of a record (epoch ms), or `undefined` for unlimited. */
export const expiryOf = (record: TaskRecord): number | undefined =>
  record.ttlMs === null ? undefined : record.createdAt + record.ttlMs;
